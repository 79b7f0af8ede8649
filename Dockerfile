# The image `medpipe export argo` runs every step in (docs/distributed.md): this project at /app
# (its pipelines, data pointers and custom steps at the same relative paths as in the checkout),
# built, with `medpipe` on PATH. Build it from a clone at the commit you mean to run:
#   docker build -t registry.example.org/medpipe:$(git rev-parse --short HEAD) .
# The git history comes along (.git is small; `git` is installed), so run records name the
# commit and a pipeline changed since it runs as an experiment, as on a laptop.

FROM node:20-bookworm-slim AS build
# git: to drop what git ignores (below); python3, make, g++: better-sqlite3 compiles its native
# module when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# Only what git tracks goes into the image: files git ignores (data kept outside git with medpipe
# data add, which the pods fetch from the remote, verified; stores, builds, logs) and untracked
# ones (a patient table not yet in .gitignore) are removed. .git/config is replaced by a minimal
# one and hooks and reflogs dropped: a CI checkout keeps its token there (http.extraheader,
# credential helpers, remote URLs), and an image is pushed to a registry.
RUN if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
      git clean -fdx \
      && printf '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n' > .git/config \
      && rm -rf .git/hooks .git/logs; \
    fi
# npm ci installs the locked dependencies and runs `prepare` (tsc and the WebAssembly modules);
# then the development tools go.
RUN npm ci && npm prune --omit=dev
# The group gets the owner's rights: clusters that run pods under an arbitrary user id in group 0
# (OpenShift) can still write the store inside the project.
RUN chmod -R g=u /app

FROM node:20-bookworm-slim
# git reads the commit for run records; safe.directory lets it do so under any user id.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system safe.directory /app
WORKDIR /app
# The store (.medpipe/), metrics and lock files are written inside the project: the user owns it.
COPY --from=build --chown=node:0 /app /app
RUN ln -s /app/dist/src/cli/bin.js /usr/local/bin/medpipe
USER node
ENTRYPOINT ["medpipe"]
CMD ["--help"]

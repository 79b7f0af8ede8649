/**
 * The usage texts of the commands that have subcommands: shown by `medpipe help COMMAND` and by
 * the command itself on a wrong call. Here rather than in each command's module, so that help
 * (loaded by every command) does not load those commands' code.
 */

export const DATA_USAGE = `usage: medpipe data add PATH [--remote NAME|URL]
       medpipe data pull [PATH...] [--force] [--remote NAME|URL]

Data files kept out of git (docs/data-files.md): a committed pointer PATH.medpipe (digest, size,
rows) stands for the file; its bytes are in the store and on the remote.

  add PATH     store the file by digest, push it to the remote, write PATH.medpipe (commit it) and
               add PATH to the .gitignore beside it; run it again after the file changed
  pull [PATH]  restore the files of every pointer in the project (or the ones named) from the local
               store or the remote, verified; a file that differs from its pointer is left as it is
               unless --force

options: --remote NAME|URL (default: $MEDPIPE_REMOTE, else default_remote), --store DIR, --force (pull)`;

export const EXPORT_USAGE = `usage: medpipe export argo FILE --image IMAGE --remote NAME|URL [options]

Write the pipeline as an Argo Workflows Workflow (YAML): one task per step, each running
medpipe run FILE --only STEP --remote URL --remote-required in IMAGE (built from the Dockerfile),
artifacts through the remote, then a task that runs the whole pipeline (all cached) to push its
record. Submit it with argo submit. See docs/distributed.md.

options:
  --image IMAGE            the image with this project (required; a fixed tag or a digest)
  --remote NAME|URL        the remote cache every pod uses (required): s3://bucket/prefix, or file:///path with --remote-volume
  --output FILE            write the manifest there (default: print it)
  --name NAME              metadata.name (default: generateName from the pipeline's name)
  --namespace NS           metadata.namespace
  --service-account SA     the pods' service account (e.g. one with a cloud role for the bucket)
  --secret NAME            the Secret the pods' env comes from: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
                           AWS_SESSION_TOKEN, MEDPIPE_CACHE_KEY, each optional (default: medpipe-remote)
  --remote-volume CLAIM    a PersistentVolumeClaim mounted at a file:// remote's folder in every pod
  --set KEY=VALUE          an experiment: every task passes it on (no record task; see docs/distributed.md)
  --params FILE            likewise; the file must be inside the project

exit: 0 ok, 2 invalid pipeline or usage`;

export const METRICS_USAGE = `usage: medpipe metrics show [FILE...]
       medpipe metrics diff [FILE...] [--baseline GIT_REF|FILE|DIR] [--atol X] [--rtol X]
                            [--format table|md|json] [--junit OUT.xml] [--markdown OUT.md]
FILE is a pipeline file or a metrics .json file (default: the pipelines in ./pipelines).`;

export const MODELS_USAGE = `usage: medpipe models <command>

  list                              registered models, their latest version and aliases
  show NAME[@VERSION|@ALIAS]        a version's metrics, tags, lineage and model card (latest without @)
  promote NAME@VERSION ALIAS        point ALIAS (e.g. production) at a version
  tag NAME@VERSION KEY=VALUE...     set tags on a version
  untag NAME@VERSION KEY...         remove tags from a version
  describe NAME TEXT                set a model's description
  compare NAME@A NAME@B             metrics side by side, with B - A
  audit [--expect SEQ:HASH]         verify the audit log's chain (and signatures with MEDPIPE_AUDIT_KEY), that it is not
                                    behind its recorded head, --expect or the run records, every row and every bundle
  log [NAME]                        the audit log, oldest first
  export NAME@X DIR                 write the bundle, card.md, metrics.json, params.json and lineage.json to DIR

options: --store DIR (the medpipe store holding registry.db), --json`;

export const REMOTE_USAGE = `usage: medpipe remote add NAME URL [--default]
       medpipe remote list [--json]
       medpipe remote remove NAME
       medpipe remote gc [--remote NAME|URL] [--keep-days N] [--branch main] [--delete]

  add      name a remote in medpipe.config.yaml (committed; never put credentials in it):
           file:///path (a shared disk) or s3://bucket/prefix[?endpoint=https://…&region=…];
           --default makes it the remote every command uses without --remote
  list     the named remotes; * marks the default
  remove   forget a named remote
  gc       remove from the remote what no recent run on the branch uses (records older than
           --keep-days, default 30, except each pipeline's newest); a dry run unless --delete`;

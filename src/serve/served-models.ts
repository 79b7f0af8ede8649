/**
 * The models a server answers for, and the bundles behind them. Each bundle is read through the
 * registry (its version rows checked against the audit log) and verified against its registered
 * digest before it is used, then kept in memory.
 *
 * Aliases are followed: the registry's change counter (its audit log's last sequence number) is
 * polled; when it moves, every alias in use is resolved again, and a moved alias's new bundle is
 * loaded and verified completely before the alias's entry is replaced. A request reads the entry
 * once, so it is answered wholly by the old version or wholly by the new one, and none waits.
 */
import type { ModelBundle } from '../bundle/bundle.js';
import { formatRef, parseRef, readVerifiedBundle, type Registry, RegistryError } from '../registry/index.js';
import { modelKindOf, usageOf } from '../bundle/model-kind.js';
import { modelFromJson } from '../ml/model.js';

export interface ServedVersion {
  readonly name: string;
  readonly version: number;
  readonly bundleDigest: string;
  readonly bundle: ModelBundle;
}

/** What a request's `NAME@SELECTOR` found: the version and, when asked by alias, the alias. */
export interface Resolved {
  readonly served: ServedVersion;
  readonly alias?: string;
}

/** Why a request's model is not answered: 404 (not served, not registered), 422 (not a predictor), 503 (registry or bundle damaged). */
export interface NotServed {
  readonly status: 404 | 422 | 503;
  readonly message: string;
}

export interface ServedModelsOptions {
  /** `NAME@ALIAS` or `NAME@VERSION`: only these are served. Empty: every registered predictor, any version or alias. */
  readonly refs: readonly string[];
  /** Lines for the operator (alias moves, registry problems); never patient data. */
  readonly note: (line: string) => void;
}

const VERSION = /^[1-9][0-9]*$/;

export class ServedModels {
  private readonly registry: Registry;
  private readonly options: ServedModelsOptions;
  private readonly versions = new Map<string, ServedVersion>();
  /** `NAME@ALIAS` -> the version it points at now: swapped, never mutated. */
  private readonly aliases = new Map<string, ServedVersion>();
  private readonly allowed: ReadonlySet<string> | undefined;
  private seenSeq: number;
  private problem: string | undefined;

  private constructor(registry: Registry, options: ServedModelsOptions) {
    this.registry = registry;
    this.options = options;
    this.allowed = options.refs.length ? new Set(options.refs) : undefined;
    this.seenSeq = registry.changeSeq();
  }

  /**
   * Loads what is to be served: the named refs, or every registered predictor's aliases and
   * latest version. A ref that cannot be served is a RegistryError (the command exits 1 with it).
   */
  static async open(registry: Registry, options: ServedModelsOptions): Promise<ServedModels> {
    const served = new ServedModels(registry, options);
    if (options.refs.length) {
      for (const ref of options.refs) {
        const { name, selector } = parseRef(ref);
        if (selector.kind === 'latest')
          throw new RegistryError('not-found', `"${ref}": name a version or an alias to serve (e.g. ${name}@production or ${name}@3)`);
        const found = await served.resolve(ref);
        if ('status' in found) throw new RegistryError('not-found', found.message);
      }
    } else {
      for (const m of registry.listModels()) {
        const refs = [...Object.keys(m.aliases).map((a) => `${m.name}@${a}`), ...(m.latest !== null ? [`${m.name}@${m.latest}`] : [])];
        for (const ref of refs) {
          const found = await served.resolve(ref);
          if ('status' in found && found.status === 422) break; // a recommender or generator: not served, said in the listing
          if ('status' in found) throw new RegistryError('not-found', found.message);
        }
      }
    }
    return served;
  }

  /** `NAME@SELECTOR` -> the version that answers it, loading it on first use when every model is served. */
  async resolve(ref: string): Promise<Resolved | NotServed> {
    const at = ref.lastIndexOf('@');
    if (at <= 0 || at === ref.length - 1)
      return { status: 404, message: `"${ref}" is not NAME@ALIAS or NAME@VERSION (e.g. breast-cancer-svm@production); ${this.servedText()}` };
    if (this.allowed && !this.allowed.has(ref)) return { status: 404, message: `${ref} is not served here; ${this.servedText()}` };
    const selector = ref.slice(at + 1);
    const byVersion = VERSION.test(selector);
    const cached = byVersion ? this.versions.get(ref) : this.aliases.get(ref);
    if (cached) return { served: cached, ...(byVersion ? {} : { alias: selector }) };
    const loaded = await this.load(ref);
    if ('status' in loaded) return loaded;
    if (!byVersion) this.aliases.set(ref, loaded);
    return { served: loaded, ...(byVersion ? {} : { alias: selector }) };
  }

  /** Reads, verifies and checks one version's bundle (by `NAME@VERSION` or `NAME@ALIAS`); cached by version. */
  private async load(ref: string): Promise<ServedVersion | NotServed> {
    let v: ReturnType<Registry['getVersion']>;
    let bytes: Buffer;
    try {
      v = this.registry.getVersion(ref);
      const key = formatRef(v.name, v.version);
      const known = this.versions.get(key);
      if (known) return known;
      bytes = readVerifiedBundle(v);
    } catch (e) {
      // A damaged registry or bundle is the server's problem, not the client's: 503.
      if (e instanceof RegistryError) return { status: e.kind === 'not-found' || e.kind === 'invalid' ? 404 : 503, message: e.message };
      throw e;
    }
    const bundle = JSON.parse(bytes.toString('utf8')) as ModelBundle;
    const kind = modelKindOf(bundle.model);
    if (kind !== 'predictor') return { status: 422, message: `${v.name}@${v.version} cannot predict rows: ${usageOf(kind)}; the server serves predictors` };
    // Build the model once now, so a bundle the model code cannot read fails here, not on a request.
    await modelFromJson(bundle.model, `${v.name}@${v.version}`);
    const served: ServedVersion = { name: v.name, version: v.version, bundleDigest: v.bundleDigest, bundle };
    this.versions.set(formatRef(v.name, v.version), served);
    return served;
  }

  /**
   * One poll: when the registry changed since the last, re-resolves every alias in use and swaps
   * in the moved ones (new bundle loaded and verified first). A registry that cannot be read is
   * reported (ready() says why) and the loaded bundles keep answering.
   */
  async refresh(): Promise<void> {
    let seq: number;
    try {
      seq = this.registry.changeSeq();
    } catch (e) {
      this.fail(`the registry cannot be read: ${(e as Error).message}`);
      return;
    }
    if (seq === this.seenSeq && this.problem === undefined) return;
    for (const [ref, current] of [...this.aliases]) {
      let version: number;
      try {
        version = this.registry.resolve(ref).version;
      } catch (e) {
        this.fail(`${ref}: ${(e as Error).message}`);
        return;
      }
      if (version === current.version) continue;
      const next = await this.load(`${current.name}@${version}`);
      if ('status' in next) {
        this.fail(`${ref} moved to version ${version}, which cannot be served (${next.message}); still serving version ${current.version}`);
        return;
      }
      this.aliases.set(ref, next);
      this.options.note(`${ref}: now version ${next.version} (was ${current.version})`);
    }
    this.seenSeq = seq;
    if (this.problem !== undefined) this.options.note('the registry is readable again; following alias moves');
    this.problem = undefined;
  }

  private fail(problem: string): void {
    if (problem !== this.problem) this.options.note(problem);
    this.problem = problem;
  }

  /** Undefined when every served bundle is loaded and verified and the registry is followed; else why not. */
  notReady(): string | undefined {
    return this.problem;
  }

  /** What is served now: each loaded alias and version, with its model's signature. */
  list(): { ref: string; name: string; version: number; alias?: string; bundle: ModelBundle }[] {
    const out: { ref: string; name: string; version: number; alias?: string; bundle: ModelBundle }[] = [];
    for (const [ref, v] of this.aliases) out.push({ ref, name: v.name, version: v.version, alias: ref.slice(ref.lastIndexOf('@') + 1), bundle: v.bundle });
    for (const [ref, v] of this.versions) if (!this.allowed || this.allowed.has(ref)) out.push({ ref, name: v.name, version: v.version, bundle: v.bundle });
    return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  /** Whether any NAME@VERSION is served (every model mode), for the API description. */
  servesEveryVersion(): boolean {
    return this.allowed === undefined;
  }

  private servedText(): string {
    if (this.allowed) return `served: ${[...this.allowed].join(', ')}`;
    let names: string[];
    try {
      names = this.registry.modelNames();
    } catch {
      names = [...new Set(this.list().map((m) => m.name))];
    }
    return names.length ? `registered models (any version or alias): ${names.join(', ')}` : 'the registry has no models yet';
  }
}

/**
 * The prediction log: one JSON line per answered request (time, model, version, bundle digest,
 * each row's input digest and output; the inputs themselves only when asked, since they are
 * patient data), hash-chained (log-chain.ts), append-only.
 *
 * Guarantee: a response is sent only after its line is on disk (written and fdatasync'd). Lines
 * are group-committed: the lines of the requests that arrive while one write and sync are under
 * way go to disk together in the next, so a sync costs one disk flush per batch, not per request.
 * After each batch the head file beside the log (`<log>.head`) is overwritten in place with the
 * last line's seq and hash (one fixed-width record, so no rename per batch), so a log whose end was
 * cut is detected (`medpipe serve --verify-log`).
 *
 * Files: `--log FILE`, or by default `<store>/predictions/YYYY-MM-DD.jsonl` (UTC day of the
 * request), each file its own chain. One server writes a log at a time (a lock file beside it).
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tryLockFile } from '../engine/lock-file.js';
import { DataError } from '../errors.js';
import { checkLogText, GENESIS, lineHash, type ChainHead } from './log-chain.js';

/** What the server logs for one request; seq, prev and at are added here. */
export interface PredictionEntry {
  readonly model: string;
  readonly version: number;
  readonly alias: string | null;
  readonly bundle: string;
  /** sha256 of each row's canonical JSON (the signature's columns, as sent). */
  readonly input_sha256: readonly string[];
  readonly output: unknown;
  /** The rows as sent (signature columns only), with --log-inputs. */
  readonly inputs?: readonly unknown[];
}

export interface PredictionLogOptions {
  /** A fixed file (--log), or a folder of daily files. */
  readonly file?: string;
  readonly dir?: string;
  /** ISO time of a line (the clock module in the server; a test may fix it). */
  readonly now: () => string;
}

interface Sink {
  readonly path: string;
  readonly handle: FileHandle;
  readonly head: FileHandle;
  readonly lock: string;
  seq: number;
  hash: string;
}

interface Pending {
  readonly sink: Sink;
  readonly line: string;
  /** The chain's head once this line is written. */
  readonly head: ChainHead;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export function headFile(log: string): string {
  return `${log}.head`;
}

/** The head as one record of fixed width (JSON padded with spaces), so each write overwrites the last completely. */
function headRecord(head: ChainHead): string {
  return `${JSON.stringify(head).padEnd(HEAD_WIDTH)}\n`;
}

/** Wide enough for any seq below 2^53 and a 64-character hash. */
const HEAD_WIDTH = 120;

export function readHead(log: string): ChainHead | undefined {
  const file = headFile(log);
  if (!existsSync(file)) return undefined;
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as { seq?: unknown; hash?: unknown };
    if (typeof h.seq === 'number' && typeof h.hash === 'string') return { seq: h.seq, hash: h.hash };
  } catch {
    // reported below
  }
  throw new DataError(`${file} is damaged: it should hold the log's last seq and hash; restore it, or move the log and it aside to start a new log`);
}

export class PredictionLog {
  private readonly options: PredictionLogOptions;
  private current: Sink | undefined;
  private readonly retired: Sink[] = [];
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private opening: { readonly path: string; readonly sink: Promise<void> } | undefined;
  private broken: Error | undefined;

  private constructor(options: PredictionLogOptions) {
    this.options = options;
  }

  /** Opens the log (checking what is already in it), so a server with an unusable log does not start. */
  static async open(options: PredictionLogOptions): Promise<PredictionLog> {
    const log = new PredictionLog(options);
    log.current = await log.openSink(log.pathFor(options.now()));
    return log;
  }

  /** The file lines are being written to now. */
  get path(): string {
    return this.current?.path ?? this.pathFor(this.options.now());
  }

  private pathFor(at: string): string {
    if (this.options.file) return this.options.file;
    return join(this.options.dir ?? '.', `${at.slice(0, 10)}.jsonl`);
  }

  private async openSink(path: string): Promise<Sink> {
    mkdirSync(dirname(path), { recursive: true });
    const lock = `${path}.lock`;
    if (!tryLockFile(lock, { what: 'medpipe serve prediction log' }))
      throw new DataError(`${path} is being written by another medpipe serve (see ${lock}): give each server its own log with --log FILE`);
    try {
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      const check = checkLogText(text, readHead(path));
      if (!check.ok)
        throw new DataError(
          `the prediction log ${path} is damaged at line ${check.line} (${check.problem}); nothing is appended to it: keep it as evidence, move it (and ${headFile(path)}) aside, and start the server again`,
        );
      const handle = await open(path, 'a');
      // r+ when it exists: 'w' would empty it first, and a crash right then would leave a head that says nothing.
      const head = await open(headFile(path), existsSync(headFile(path)) ? 'r+' : 'w');
      const start = { seq: check.head.seq, hash: check.lines ? check.head.hash : GENESIS };
      await head.write(headRecord(start), 0, 'utf8');
      return { path, handle, head, lock, ...start };
    } catch (e) {
      unlinkSync(lock);
      throw e;
    }
  }

  /** Appends one line; resolves once it is on disk. Rejects when the log cannot be written. */
  async append(entry: PredictionEntry): Promise<void> {
    if (this.broken) throw this.broken;
    const at = this.options.now();
    const path = this.pathFor(at);
    if (!this.current || this.current.path !== path) await this.switchTo(path);
    const sink = this.current as Sink;
    // seq and prev are taken here, in call order, so the file's order is the chain's order.
    const line = JSON.stringify({ seq: sink.seq + 1, at, ...entry, prev: sink.hash });
    sink.seq += 1;
    sink.hash = lineHash(line);
    const done = new Promise<void>((resolve, reject) => this.pending.push({ sink, line, head: { seq: sink.seq, hash: sink.hash }, resolve, reject }));
    this.flushing ??= this.flushAll();
    return done;
  }

  /**
   * A new day: later lines go to the new file; the old one is closed once its lines are written.
   * Requests that cross midnight together wait for one opening of the new file.
   */
  private switchTo(path: string): Promise<void> {
    if (this.opening?.path !== path) {
      const sink = this.openSink(path).then((opened) => {
        if (this.current) this.retired.push(this.current);
        this.current = opened;
        this.opening = undefined;
      });
      // A failed opening is each waiting request's error, and the next request tries again.
      sink.catch(() => (this.opening = undefined));
      this.opening = { path, sink };
    }
    return this.opening.sink;
  }

  private async flushAll(): Promise<void> {
    for (;;) {
      await this.flushPending();
      // Files of past days are closed here, between batches, so close() waiting for this sees them closed.
      const retired = this.retired.splice(0);
      if (!retired.length && !this.pending.length) break;
      for (const sink of retired) await this.closeSink(sink);
    }
    this.flushing = undefined;
  }

  private async flushPending(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        const sinks = new Set(batch.map((p) => p.sink));
        for (const sink of sinks) {
          const lines = batch.filter((p) => p.sink === sink);
          const text = lines.map((p) => `${p.line}\n`).join('');
          const last = lines[lines.length - 1].head;
          await sink.handle.write(text);
          await sink.handle.datasync();
          // The head after the data: a crash between the two leaves a head behind the log, never ahead.
          await sink.head.write(headRecord(last), 0, 'utf8');
        }
        for (const p of batch) p.resolve();
      } catch (e) {
        this.broken = new DataError(`the prediction log cannot be written (${(e as Error).message}); predictions are refused until it can`);
        for (const p of [...batch, ...this.pending]) p.reject(this.broken);
        this.pending = [];
      }
    }
  }

  private async closeSink(sink: Sink): Promise<void> {
    await sink.handle.close();
    await sink.head.sync();
    await sink.head.close();
    try {
      unlinkSync(sink.lock);
    } catch {
      // already gone
    }
  }

  /** Waits for every line appended so far to be on disk, then closes the files. */
  async close(): Promise<void> {
    await this.opening?.sink.catch(() => undefined);
    while (this.flushing) await this.flushing;
    for (const sink of [...this.retired.splice(0), ...(this.current ? [this.current] : [])]) await this.closeSink(sink);
    this.current = undefined;
  }
}

/**
 * `medpipe serve [NAME@ALIAS…] [--port N] [--host H] [--token-file F] [--log FILE] [--log-inputs]
 * [--max-rows N] [--max-body BYTES]`: the registered models over HTTP (src/serve), until SIGTERM
 * or Ctrl-C, which stop accepting connections, let the requests in flight finish, flush the
 * prediction log and exit 0. `medpipe serve --verify-log FILE|DIR` checks a prediction log.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Explainer } from '../serve/server.js';

export interface ServeArgs {
  refs: readonly string[];
  storeDir: string;
  cwd: string;
  port?: string;
  host?: string;
  tokenFile?: string;
  log?: string;
  logInputs: boolean;
  maxRows?: string;
  maxBody?: string;
  verifyLog?: string;
  /** Per-row explanations for ?explain=true; without one, such requests get 501. */
  explainer?: Explainer;
}

export const SERVE_DEFAULTS = { port: 8080, host: '127.0.0.1', maxRows: 1000, maxBody: 1_048_576, pollMs: 500 } as const;

function wholeNumber(text: string | undefined, flag: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

function readToken(file: string, cwd: string): string {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`--token-file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const token = text.trim();
  if (!token) throw new UsageError(`--token-file ${file} is empty: write the token (one line) into it`);
  if (/\s/.test(token)) throw new UsageError(`--token-file ${file}: the token must be one word without spaces`);
  return token;
}

async function verifyLogCommand(path: string, cwd: string, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  const { verifyPredictionLog } = await import('../serve/log-verify.js');
  let failed = 0;
  for (const r of verifyPredictionLog(resolve(cwd, path), path)) {
    if (r.check.ok)
      io.out(
        `${r.file}: ok, ${r.check.lines} prediction${r.check.lines === 1 ? '' : 's'}, chain intact${r.hasHead ? '' : ' (no head file beside it: a cut end would not be seen)'}`,
      );
    else {
      failed++;
      io.err(`medpipe: ${r.file}: line ${r.check.line}: ${r.check.problem}`);
    }
  }
  return failed ? 1 : 0;
}

export async function serveCommand(a: ServeArgs, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  if (a.verifyLog !== undefined) return verifyLogCommand(a.verifyLog, a.cwd, io);
  const port = wholeNumber(a.port, '--port', SERVE_DEFAULTS.port, 0, 65535);
  const host = a.host ?? SERVE_DEFAULTS.host;
  const maxRows = wholeNumber(a.maxRows, '--max-rows', SERVE_DEFAULTS.maxRows, 1);
  const maxBody = wholeNumber(a.maxBody, '--max-body', SERVE_DEFAULTS.maxBody, 1024);
  const token = a.tokenFile === undefined ? undefined : readToken(a.tokenFile, a.cwd);
  const { Registry } = await import('../registry/index.js');
  if (!Registry.exists(a.storeDir)) throw new UsageError(`no model registry in ${a.storeDir}: run a pipeline with a register step first`);
  const { ServedModels } = await import('../serve/served-models.js');
  const { PredictionLog } = await import('../serve/prediction-log.js');
  const { buildServer } = await import('../serve/server.js');
  const { clock } = await import('../engine/clock.js');
  const { medpipeVersion } = await import('./version.js');
  const note = (line: string): void => io.err(`medpipe serve: ${line}`);

  const registry = Registry.open(a.storeDir);
  let log: import('../serve/prediction-log.js').PredictionLog | undefined;
  try {
    const models = await ServedModels.open(registry, { refs: a.refs, note });
    log = await PredictionLog.open({
      ...(a.log ? { file: resolve(a.cwd, a.log) } : { dir: join(a.storeDir, 'predictions') }),
      now: clock.iso,
    });
    const app = buildServer({ models, log, maxBody, maxRows, token, logInputs: a.logInputs, explainer: a.explainer, version: medpipeVersion(), note });
    await app.listen({ port, host });
    const address = app.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    const served = models.list().map((m) => m.ref);
    io.out(`medpipe serve: listening on http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
    io.out(
      `medpipe serve: serving ${a.refs.length ? served.join(', ') : `every registered model (loaded: ${served.join(', ') || 'none yet'})`}; predictions logged to ${log.path}${a.logInputs ? ' with their inputs' : ''}`,
    );
    if (!token && !['127.0.0.1', '::1', 'localhost'].includes(host))
      note(`warning: listening on ${host} without --token-file: anyone who can reach this address can use the models`);

    let polling = false;
    const timer = setInterval(() => {
      if (polling) return;
      polling = true;
      models
        .refresh()
        .catch((e: Error) => note(`following the registry failed: ${e.message}`))
        .finally(() => (polling = false));
    }, SERVE_DEFAULTS.pollMs);

    const openLog = log;
    return await new Promise<number>((done) => {
      const stop = (signal: string): void => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        note(`${signal}: finishing the requests in flight, then stopping`);
        clearInterval(timer);
        app
          .close()
          .then(() => openLog.close())
          .then(() => {
            registry.close();
            note('stopped; the prediction log is complete');
            done(0);
          })
          .catch((e: Error) => {
            note(`stopping failed: ${e.message}`);
            done(1);
          });
      };
      const onTerm = (): void => stop('SIGTERM');
      const onInt = (): void => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
  } catch (e) {
    await log?.close();
    registry.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`${host}:${port} is in use: choose another --port`);
    throw e;
  }
}

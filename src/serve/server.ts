/**
 * The HTTP API of `medpipe serve`, on Fastify: routes, bearer-token check, error bodies. It is
 * given its parts (served models, prediction log, explainer) and only answers requests; the CLI
 * (src/cli/serve.ts) opens them, listens and shuts down.
 *
 * Predictions go through predictBundle, the function `medpipe predict` uses, so the two cannot
 * disagree. Every answered prediction is in the log before its response is sent.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ModelBundle } from '../bundle/bundle.js';
import { predictBundle, type Predictions } from '../bundle/predict.js';
import { outsideTrainingRange } from '../bundle/training-range.js';
import type { Dataset } from '../data/dataset.js';
import { DataError, isUserError } from '../errors.js';
import { inputDigest } from './input-digest.js';
import { type FieldProblem, rowsForBundle } from './json-rows.js';
import { openApiDocument } from './openapi.js';
import type { PredictionLog } from './prediction-log.js';
import type { ServedModels } from './served-models.js';

/**
 * Per-row explanations for `?explain=true`, given by the caller (src/explain's explainBundle once
 * it is wired in): the bundle and the rows as read against its signature in, plain JSON out.
 */
/** Rows one `?explain=true` request may ask for: explanations cost far more than predictions. */
export const MAX_EXPLAINED_ROWS = 20;

export type Explainer = (bundle: ModelBundle, rows: Dataset) => Promise<unknown>;

export interface ServerOptions {
  readonly models: ServedModels;
  readonly log: PredictionLog;
  /** Largest request body in bytes (larger: 413). */
  readonly maxBody: number;
  /** Most rows in one request (more: 413). */
  readonly maxRows: number;
  /** The bearer token every request but /health and /ready must carry; none: no authentication. */
  readonly token?: string;
  /** Log the rows themselves (patient data), not only their digests. */
  readonly logInputs: boolean;
  readonly explainer?: Explainer;
  /** medpipe's version, for the OpenAPI document. */
  readonly version: string;
  /** Lines for the operator (internal errors), never patient data. */
  readonly note: (line: string) => void;
}

interface ErrorBody {
  error: string;
  message: string;
  problems?: readonly unknown[];
  more?: number;
}

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).send(body);
}

const OPEN_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready']);

function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Constant-time: both sides are hashed to 32 bytes first, so neither the length nor a prefix of the token leaks through timing. */
function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  const m = header === undefined ? null : /^Bearer +(\S+)\s*$/i.exec(header);
  return timingSafeEqual(tokenDigest(m ? m[1] : ''), expected) && m !== null;
}

/** The response's (and the log's) outputs: labels or values, then probabilities per class or decision values. */
function outputsOf(p: Predictions): { predictions: readonly (string | number)[]; probabilities?: Record<string, number>[]; decision?: number[] } {
  const predictions = p.labels ? [...p.labels] : Array.from(p.values ?? []);
  const probs = p.probabilities;
  const probabilities = probs
    ? Array.from({ length: p.rowCount }, (_, r) => Object.fromEntries(probs.classes.map((k, j) => [k, probs.values[r * probs.classes.length + j]])))
    : undefined;
  return { predictions, ...(probabilities ? { probabilities } : {}), ...(p.decision ? { decision: Array.from(p.decision) } : {}) };
}

/** Each row restricted to the model's input columns (null for an absent one): what the digest and --log-inputs cover. */
function modelInputs(bundle: ModelBundle, rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(bundle.signature.columns.map((c) => [c.name, Object.hasOwn(row, c.name) ? row[c.name] : null])));
}

/** One line for a 400: how many problems, and the first in words; the list is in `problems`. */
function problemsMessage(problems: readonly FieldProblem[], more: number, ref: string): string {
  const total = problems.length + more;
  const first = problems[0];
  const where = `${first.row !== undefined ? `row ${first.row}, ` : ''}${first.column !== undefined ? `column "${first.column}": ` : ''}`;
  return `${total} problem${total === 1 ? '' : 's'} in the request for ${ref}: ${where}${first.problem}${total > 1 ? ' (every one is in "problems")' : ''}`;
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: options.maxBody, logger: false, return503OnClosing: true });
  const expected = options.token === undefined ? undefined : tokenDigest(options.token);

  if (expected) {
    app.addHook('onRequest', async (request, reply) => {
      if (OPEN_ROUTES.has(request.url.split('?')[0])) return;
      if (!tokenMatches(request.headers.authorization, expected)) {
        reply.header('www-authenticate', 'Bearer');
        return send(reply, 401, {
          error: 'unauthorized',
          message: request.headers.authorization
            ? 'the bearer token is wrong'
            : 'this server needs a bearer token: send the header "Authorization: Bearer TOKEN"',
        });
      }
    });
  }

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return send(reply, 413, {
        error: 'body_too_large',
        message: `the request body is larger than this server's limit of ${options.maxBody} bytes (--max-body): send fewer rows per request`,
      });
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return send(reply, 415, { error: 'unsupported_media_type', message: 'send the rows as JSON with the header "Content-Type: application/json"' });
    if (status < 500) {
      const json = error instanceof SyntaxError || /JSON/i.test(error.code ?? '');
      return send(reply, status, {
        error: json ? 'bad_json' : 'bad_request',
        message: json ? 'the body is not valid JSON: send {"rows": [{"column": value, …}]}' : error.message,
      });
    }
    options.note(`internal error: ${error.message}`);
    return send(reply, 500, { error: 'internal', message: 'internal error in medpipe serve; the operator can see it in the server output' });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, {
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}: the API is POST /v1/models/NAME@ALIAS/predict, GET /v1/models, GET /health, GET /ready, GET /openapi.json`,
    }),
  );

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const problem = options.models.notReady();
    if (problem) return send(reply, 503, { error: 'not_ready', message: problem });
    return { status: 'ready', models: options.models.list().map((m) => m.ref) };
  });

  app.get('/v1/models', async () => ({
    every_version: options.models.servesEveryVersion(),
    models: options.models.list().map((m) => ({
      ref: m.ref,
      name: m.name,
      version: m.version,
      alias: m.alias ?? null,
      task: m.bundle.signature.target.task,
      ...(m.bundle.signature.target.classes ? { classes: m.bundle.signature.target.classes } : {}),
      inputs: m.bundle.signature.columns,
    })),
  }));

  app.get('/openapi.json', async () =>
    openApiDocument(options.models.list(), { version: options.version, everyVersion: options.models.servesEveryVersion(), auth: expected !== undefined }),
  );

  app.post('/v1/models/:ref/predict', async (request: FastifyRequest<{ Params: { ref: string }; Querystring: { explain?: string } }>, reply) => {
    const found = await options.models.resolve(request.params.ref);
    if ('status' in found)
      return send(reply, found.status, {
        error: found.status === 404 ? 'unknown_model' : found.status === 422 ? 'not_a_predictor' : 'unavailable',
        message: found.message,
      });
    const { served, alias } = found;
    const explain = request.query.explain === 'true' || request.query.explain === '1';
    if (explain && !options.explainer)
      return send(reply, 501, {
        error: 'not_implemented',
        message: 'explanations are not available in this build of medpipe serve; ask without ?explain=true',
      });
    const read = rowsForBundle(served.bundle, request.body, { maxRows: options.maxRows });
    if (read.problems) {
      const { tooMany, more } = read;
      return send(reply, tooMany ? 413 : 400, {
        error: tooMany ? 'too_many_rows' : 'bad_input',
        message: tooMany
          ? read.problems[0].problem
          : problemsMessage(read.problems, more, alias ? `${served.name}@${alias} (version ${served.version})` : `${served.name}@${served.version}`),
        problems: read.problems,
        ...(more ? { more } : {}),
      });
    }
    const rows = (request.body as { rows: Record<string, unknown>[] }).rows;
    let predictions: Predictions;
    try {
      predictions = await predictBundle(served.bundle, read.dataset);
    } catch (e) {
      if (e instanceof DataError) return send(reply, 400, { error: 'bad_input', message: e.message });
      throw e;
    }
    if (explain && read.dataset.rowCount > MAX_EXPLAINED_ROWS)
      return send(reply, 413, {
        error: 'too_many_rows',
        message: `?explain=true explains at most ${MAX_EXPLAINED_ROWS} rows per request (got ${read.dataset.rowCount}): KernelSHAP costs about 0.2 s a row; send them in smaller requests`,
      });
    let explanations: unknown;
    if (explain && options.explainer) {
      try {
        explanations = await options.explainer(served.bundle, read.dataset);
      } catch (e) {
        // A bundle registered without its training rows has nothing to explain against: say so, as `medpipe explain` does.
        if (e instanceof Error && isUserError(e)) return send(reply, 422, { error: 'no_explanation_data', message: e.message });
        throw e;
      }
    }
    const outputs = outputsOf(predictions);
    try {
      await options.log.append({
        model: served.name,
        version: served.version,
        alias: alias ?? null,
        bundle: served.bundleDigest,
        input_sha256: rows.map((row) => inputDigest(served.bundle, row)),
        output: outputs,
        ...(options.logInputs ? { inputs: modelInputs(served.bundle, rows) } : {}),
      });
    } catch (e) {
      // An answer that cannot be logged is not given: the log is the record of what was served.
      if (e instanceof DataError) return send(reply, 503, { error: 'log_unavailable', message: e.message });
      throw e;
    }
    const warnings = outsideTrainingRange(served.bundle, read.dataset);
    return {
      model: served.name,
      version: served.version,
      alias: alias ?? null,
      bundle_sha256: served.bundleDigest,
      ...outputs,
      ...(warnings.length ? { warnings } : {}),
      ...(explanations !== undefined ? { explanations } : {}),
    };
  });

  return app;
}

/**
 * `GET /openapi.json`: an OpenAPI 3.1 description of the server, made from the served bundles'
 * signatures, so each model's predict endpoint documents its input columns (number, category
 * with the categories seen in training, or ISO date; null for a missing value) and its output.
 */
import type { InputColumn, ModelBundle } from '../bundle/bundle.js';

type Json = Record<string, unknown>;

function columnSchema(c: InputColumn): Json {
  if (c.kind === 'numeric') return { type: ['number', 'null'], ...(c.range ? { description: `training range ${c.range.min} to ${c.range.max}` } : {}) };
  if (c.kind === 'date') return { type: ['string', 'null'], format: 'date-time', description: 'ISO 8601 date or date-time' };
  return {
    type: ['string', 'null'],
    ...(c.categories ? { examples: c.categories, description: `categories seen in training: ${c.categories.join(', ')}` } : {}),
  };
}

function rowsSchema(bundle: ModelBundle): Json {
  const columns = bundle.signature.columns;
  return {
    type: 'object',
    required: ['rows'],
    properties: {
      rows: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: columns.map((c) => c.name),
          properties: Object.fromEntries(columns.map((c) => [c.name, columnSchema(c)])),
          description: 'one patient; null is a missing value; other fields are ignored',
        },
      },
    },
  };
}

function responseSchema(bundle: ModelBundle): Json {
  const t = bundle.signature.target;
  const classes = t.classes ?? [];
  return {
    type: 'object',
    required: ['model', 'version', 'predictions'],
    properties: {
      model: { type: 'string' },
      version: { type: 'integer' },
      alias: { type: ['string', 'null'] },
      bundle_sha256: { type: 'string' },
      predictions: { type: 'array', items: t.task === 'regression' ? { type: 'number' } : { type: 'string', enum: classes } },
      ...(classes.length
        ? {
            probabilities: {
              type: 'array',
              items: { type: 'object', properties: Object.fromEntries(classes.map((k) => [k, { type: 'number' }])) },
            },
            decision: { type: 'array', items: { type: 'number' }, description: 'binary models without probabilities: the decision value' },
          }
        : {}),
      warnings: { type: 'array', items: { $ref: '#/components/schemas/RangeWarning' } },
      explanations: { description: 'with ?explain=true' },
    },
  };
}

const ERROR = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    problems: {
      type: 'array',
      items: {
        type: 'object',
        properties: { row: { type: 'integer', description: '0-based index into rows' }, column: { type: 'string' }, problem: { type: 'string' } },
      },
    },
    more: { type: 'integer', description: 'problems beyond those listed' },
  },
};

export interface OpenApiModel {
  readonly ref: string;
  readonly bundle: ModelBundle;
}

export function openApiDocument(models: readonly OpenApiModel[], options: { version: string; everyVersion: boolean; auth: boolean }): Json {
  const errorResponse = (description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const paths: Json = {
    '/health': { get: { summary: 'the process is alive', security: [], responses: { 200: { description: 'alive' } } } },
    '/ready': {
      get: {
        summary: 'every served bundle is loaded and verified',
        security: [],
        responses: { 200: { description: 'ready' }, 503: errorResponse('not ready') },
      },
    },
    '/v1/models': { get: { summary: 'the served models, versions and aliases with their input columns', responses: { 200: { description: 'the list' } } } },
    '/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
  };
  const schemas: Json = {
    Error: ERROR,
    RangeWarning: {
      type: 'object',
      properties: { row: { type: 'integer' }, column: { type: 'string' }, side: { type: 'string', enum: ['above', 'below'] }, range: { type: 'object' } },
      description: 'a value far outside the training range: the prediction is an extrapolation',
    },
  };
  for (const m of models) {
    const id = m.ref.replace(/[^A-Za-z0-9._-]/g, '_');
    schemas[`Rows_${id}`] = rowsSchema(m.bundle);
    schemas[`Predictions_${id}`] = responseSchema(m.bundle);
    paths[`/v1/models/${m.ref}/predict`] = {
      post: {
        summary: `predict with ${m.ref}`,
        parameters: [{ name: 'explain', in: 'query', required: false, schema: { type: 'boolean' }, description: "add each row's feature contributions" }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/Rows_${id}` } } } },
        responses: {
          200: { description: 'predictions', content: { 'application/json': { schema: { $ref: `#/components/schemas/Predictions_${id}` } } } },
          400: errorResponse('bad input: every bad field, by row and column'),
          401: errorResponse('missing or wrong bearer token'),
          404: errorResponse('model not served'),
          413: errorResponse('body or row count over the limit'),
          501: errorResponse('explanations are not available'),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'medpipe serve',
      version: options.version,
      description: `Predictions from registered medpipe models.${options.everyVersion ? ' Every registered model is served, by any version or alias (POST /v1/models/NAME@VERSION/predict); the paths below are those loaded so far.' : ''}`,
    },
    paths,
    components: {
      schemas,
      ...(options.auth ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
    },
    ...(options.auth ? { security: [{ bearer: [] }] } : {}),
  };
}

/**
 * What the Argo export tests share: Argo's published JSON Schema as a validator, and a manifest
 * exported by the real CLI, parsed.
 *
 * The schema is argo-workflows' api/jsonschema/schema.json, kept beside the clone in
 * ../shared/schemas (as CI has it; see its README). It declares draft 2020-12, so it is compiled
 * with ajv's 2020 class (the default class is draft-07 and does not know that meta-schema).
 * ajv's strict mode stays on, so a mistake in how the schema is read fails loudly; it only has to
 * be told about the OpenAPI annotations the schema carries: the x-kubernetes-* keywords (declared
 * as a vocabulary, which validates nothing) and the formats int32, int64, uint64, byte and
 * date-time (declared as known without checks: fields medpipe does not write).
 *
 * The published schema leaves every object open (no additionalProperties: false), so a misspelt
 * field (`dependancies`) would pass it. `closedSchema` is a copy in which every definition with
 * properties admits only those, which is how Kubernetes' API server reads a manifest: the tests
 * check the manifests against both.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import type { ArgoWorkflow } from '../../src/export/argo-workflow.js';
import { ROOT, runCli } from '../helpers/cli.js';

export const ARGO_SCHEMA = join(ROOT, '..', 'shared', 'schemas', 'argo-workflows.schema.json');
const WORKFLOW = 'io.argoproj.workflow.v1alpha1.Workflow';
const UNCHECKED_FORMATS = ['int32', 'int64', 'uint64', 'byte', 'date-time'] as const;

type Json = Record<string, unknown>;

function readSchema(): Json {
  assert.ok(existsSync(ARGO_SCHEMA), `Argo's JSON Schema is not at ${ARGO_SCHEMA}: the tests read it from ../shared/schemas beside the clone`);
  return JSON.parse(readFileSync(ARGO_SCHEMA, 'utf8')) as Json;
}

/** Every "x-…" keyword used anywhere in the schema. */
function extensionKeywords(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) extensionKeywords(item, found);
  else if (node !== null && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) found.add(key);
      extensionKeywords(value, found);
    }
  return found;
}

/** A copy of the schema in which each definition with properties admits no others. */
function closedSchema(schema: Json): Json {
  const copy = structuredClone(schema) as Json & { definitions: Record<string, Json> };
  for (const definition of Object.values(copy.definitions))
    if (definition.properties && definition.additionalProperties === undefined) definition.additionalProperties = false;
  return copy;
}

export interface WorkflowValidators {
  /** Argo's schema as published. */
  readonly published: ValidateFunction;
  /** The same with unknown fields refused. */
  readonly closed: ValidateFunction;
}

let validators: WorkflowValidators | undefined;

/** The Workflow definition of `schema`, compiled (one ajv each: both copies have the same $id). */
function workflowValidator(schema: Json): ValidateFunction {
  const ajv = new Ajv2020.default({ allErrors: true, formats: Object.fromEntries(UNCHECKED_FORMATS.map((f) => [f, true])) });
  ajv.addVocabulary([...extensionKeywords(schema)]);
  ajv.addSchema(schema);
  const v = ajv.getSchema(`${String(schema.$id)}#/definitions/${WORKFLOW}`);
  assert.ok(v, `no definition ${WORKFLOW} in ${ARGO_SCHEMA}`);
  return v;
}

export function workflowValidators(): WorkflowValidators {
  if (validators) return validators;
  const schema = readSchema();
  validators = { published: workflowValidator(schema), closed: workflowValidator(closedSchema(schema)) };
  return validators;
}

export function errorsText(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join('\n');
}

/** Asserts `manifest` is a Workflow by Argo's schema, as published and closed. */
export function assertValidWorkflow(manifest: unknown, what: string): void {
  const { published, closed } = workflowValidators();
  assert.ok(published(manifest), `${what}: not a Workflow by Argo's schema:\n${errorsText(published.errors)}`);
  assert.ok(closed(manifest), `${what}: a field Argo's schema does not have:\n${errorsText(closed.errors)}`);
}

/** `medpipe export argo ARGS…` run in `cwd`, which must succeed; its manifest parsed, and what it said on stderr. */
export async function exportArgo(cwd: string, ...args: string[]): Promise<{ workflow: ArgoWorkflow; text: string; err: string }> {
  const r = await runCli(cwd, 'export', 'argo', ...args);
  assert.equal(r.code, 0, r.err);
  return { workflow: parse(r.out) as ArgoWorkflow, text: r.out, err: r.err };
}

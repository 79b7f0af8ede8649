/**
 * Compiled JSON Schema validators, one per schema object. Ajv compiles a schema into a function
 * by generating its source; in a fresh process that costs more than the check itself (loading
 * Ajv and compiling one small schema took ~80 ms of a cached 1,000-step re-run). So:
 * - the schemas medpipe ships (the pipeline's structure, each built-in step's parameters) are
 *   compiled when medpipe is built, into `dist/validators/` (scripts/compile-validators.mjs);
 * - any other (a custom step's) is compiled by Ajv at first use and its generated source kept in
 *   the store (`validators/`), checked against its sha256 before it is used again, like every
 *   other thing read from the store; a damaged one is deleted and compiled again.
 * All are Ajv's standalone code for the same options, so they give the same answers and errors.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { readCheckedFile, writeCheckedFile } from './checked-file.js';
import { sha256 } from './fingerprint.js';
import { STORE_FOLDERS } from './store-layout.js';

// strictNumbers: YAML's .inf and .nan are numbers to JavaScript, and no parameter means them.
// verbose: errors carry the value and the schema, for messages that name them.
export const VALIDATOR_OPTIONS: Options = { allErrors: true, strict: false, strictNumbers: true, verbose: true, useDefaults: true };

const require = createRequire(import.meta.url);
/** dist/validators/, beside dist/src/. */
const BUILT_DIR = new URL('../../validators/', import.meta.url);

const validators = new WeakMap<object, ValidateFunction>();

/**
 * The name of a schema's compiled validator: a digest of its JSON with Ajv's version and the
 * options, so a changed schema, option or Ajv finds no stale one.
 */
export function validatorName(schema: object): string {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  return sha256(JSON.stringify([ajvVersion, VALIDATOR_OPTIONS, schema]));
}

/** Ajv's standalone source of a validator for `schema` (loads Ajv: the slow path). */
export function compileValidatorSource(schema: object): string {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const standaloneCode = (require('ajv/dist/standalone') as { default: (ajv: Ajv, v: ValidateFunction) => string }).default;
  // A fresh Ajv per schema: two schemas may carry the same $id.
  const ajv = new AjvClass({ ...VALIDATOR_OPTIONS, code: { source: true } });
  return standaloneCode(ajv, ajv.compile(schema));
}

/** Evaluates standalone source as the CommonJS module it is (as Ajv evaluates what it generates). */
function evaluate(source: string): ValidateFunction {
  const module = { exports: {} as { default?: ValidateFunction } };
  new Function('module', 'exports', 'require', source)(module, module.exports, require);
  if (typeof module.exports.default !== 'function') throw new Error('internal: compiled validator has no default export');
  return module.exports.default;
}

/**
 * The compiled validator of a JSON Schema (once per schema object): built with medpipe, else
 * kept in the store at `storeRoot`, else compiled now (and kept there).
 */
export function schemaValidator(schema: object, storeRoot?: string): ValidateFunction {
  let v = validators.get(schema);
  if (v) return v;
  const name = `${validatorName(schema)}.cjs`;
  const built = new URL(name, BUILT_DIR);
  // A path, not the URL's pathname: that is percent-encoded (a space is %20) and, on Windows, /C:/….
  if (existsSync(built)) v = (require(fileURLToPath(built)) as { default: ValidateFunction }).default;
  else {
    const kept = storeRoot ? join(storeRoot, STORE_FOLDERS.validators, name) : undefined;
    const keptSource = kept ? readCheckedFile(kept) : undefined;
    const source = keptSource ?? compileValidatorSource(schema);
    if (storeRoot && kept && keptSource === undefined) writeCheckedFile(storeRoot, kept, source);
    v = evaluate(source);
  }
  validators.set(schema, v);
  return v;
}

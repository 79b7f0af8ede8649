#!/usr/bin/env node
/**
 * Part of `npm run build`: compiles the JSON Schemas medpipe ships (the pipeline file's structure
 * and every built-in step's parameters) into Ajv standalone validators in dist/validators/, one
 * CommonJS module per schema, named as src/engine/schema-validators.ts looks them up. A run then
 * loads the validators it needs instead of loading Ajv and compiling each schema at start-up.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const { compileValidatorSource, validatorName } = await import('../dist/src/engine/schema-validators.js');
const { pipelineBaseSchema } = await import('../dist/src/engine/schema.js');
const { builtinSteps } = await import('../dist/src/builtin-steps.js');

const dir = new URL('../dist/validators/', import.meta.url);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const schemas = [pipelineBaseSchema(), ...[...builtinSteps.values()].map((type) => type.params)];
for (const schema of schemas) writeFileSync(new URL(`${validatorName(schema)}.cjs`, dir), compileValidatorSource(schema));
console.log(`compiled ${schemas.length} schema validators into dist/validators/`);

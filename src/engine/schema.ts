/**
 * The JSON Schema of a pipeline file. The structural part is checked at run time; the file
 * written to schemas/pipeline.schema.json adds, for editors, the `with:` schema of every
 * built-in step type (so `# yaml-language-server: $schema=…` completes and checks parameters).
 */
import { regressionSchema } from '../metrics/regression-config.js';
import { labelsSchema, resourcesSchema } from './step-resources.js';
import type { StepType } from './step-type.js';

export const STEP_ID_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';
/**
 * A step id becomes part of a temporary folder's name (with a ~30-character prefix and suffix),
 * and a swept step's id grows by its combination's label: both must stay well below the 255
 * bytes a file name may have.
 */
export const MAX_STEP_ID_LENGTH = 100;
export const MAX_SWEPT_STEP_ID_LENGTH = 200;

/**
 * Names JavaScript gives a meaning on every object (`obj.constructor`, the `__proto__` setter):
 * step ids and parameter names become plain-object keys, so these would be silently dropped or
 * would look up the built-in instead of the user's value.
 */
export const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype'] as const;

export function isReservedName(name: string): boolean {
  return (RESERVED_NAMES as readonly string[]).includes(name);
}

/** The one wording for a reserved name, wherever it is used. */
export function reservedNameMessage(name: string): string {
  return `"${name}" is reserved: JavaScript gives it a special meaning`;
}

export const STEP_FIELDS = ['uses', 'in', 'with', 'matrix', 'needs', 'resources', 'labels', 'description'] as const;
export const TOP_LEVEL_KEYS = ['medpipe', 'name', 'description', 'params', 'params_file', 'steps', 'regression'] as const;

/** What a pipeline parameter may be called (in params:, a params file, --set NAME=…). */
export const PARAM_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';

export function pipelineBaseSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://medpipe.dev/schemas/pipeline.schema.json',
    title: 'medpipe pipeline',
    type: 'object',
    required: ['medpipe', 'name', 'steps'],
    additionalProperties: false,
    properties: {
      medpipe: { const: 1, description: 'Pipeline file format version.' },
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Name of the pipeline (used in run records and the registry).' },
      description: { type: 'string' },
      params: {
        type: 'object',
        description: 'Pipeline parameters, referenced as ${params.NAME} and overridden with --set NAME=VALUE.',
        propertyNames: { pattern: PARAM_NAME_PATTERN, not: { enum: [...RESERVED_NAMES] } },
      },
      params_file: {
        type: 'string',
        minLength: 1,
        description:
          'A YAML file of pipeline parameters (relative to this file), as DVC keeps params.yaml: its values replace those under params:; --params FILE and --set override both.',
      },
      regression: regressionSchema(),
      steps: {
        type: 'object',
        minProperties: 1,
        description: 'The steps, keyed by id.',
        propertyNames: { pattern: STEP_ID_PATTERN, maxLength: MAX_STEP_ID_LENGTH, not: { enum: [...RESERVED_NAMES] } },
        additionalProperties: { $ref: '#/definitions/step' },
      },
    },
    definitions: {
      step: {
        type: 'object',
        required: ['uses'],
        additionalProperties: false,
        properties: {
          uses: { type: 'string', description: 'The step type (e.g. load.csv, train.svm) or a path to a custom step module (./steps/x.js).' },
          in: {
            type: 'object',
            description: "Input ports, each wired to another step's output: STEP or STEP.PORT.",
            additionalProperties: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)?$' },
          },
          with: { type: 'object', description: 'Parameters of the step type.' },
          matrix: {
            type: 'object',
            minProperties: 1,
            description: 'A parameter sweep: one step per combination of these values (each cached on its own, run in parallel).',
            additionalProperties: { type: 'array', minItems: 1 },
          },
          needs: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Steps that must finish first, without passing data.' },
          resources: resourcesSchema(),
          labels: labelsSchema(),
          description: { type: 'string' },
        },
      },
    },
  };
}

/** The schema file for editors: the base schema plus each built-in step type's `with:` and `in:`. */
export function pipelineEditorSchema(stepTypes: readonly StepType[]): Record<string, unknown> {
  const schema = pipelineBaseSchema();
  const definitions = schema.definitions as Record<string, Record<string, unknown>>;
  const step = definitions.step;
  const props = step.properties as Record<string, Record<string, unknown>>;
  props.uses = { ...props.uses, anyOf: [{ enum: stepTypes.map((t) => t.id) }, { pattern: '^(\\.{1,2}/|/)' }] };
  step.allOf = stepTypes.map((t) => ({
    if: { properties: { uses: { const: t.id } } },
    then: {
      description: t.description,
      properties: {
        with: acceptParamRefs(t.params),
        in: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(Object.entries(t.inputs).map(([port, p]) => [port, { type: 'string', description: `${p.kind}: ${p.description}` }])),
        },
      },
    },
  }));
  return schema;
}

/** A whole-value `${params.x}` is resolved before the step's schema applies; editors must accept it too. */
function acceptParamRefs(params: StepType['params']): StepType['params'] {
  const ref = { type: 'string', pattern: '^\\$\\{params\\.[A-Za-z_][A-Za-z0-9_-]*\\}$', description: 'A pipeline parameter, ${params.NAME}.' };
  const properties = Object.fromEntries(
    Object.entries(params.properties).map(([name, schema]) => [name, { description: (schema as { description?: string }).description, anyOf: [schema, ref] }]),
  );
  return { ...params, properties };
}

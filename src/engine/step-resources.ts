/**
 * What a step asks of the machine that runs it: `resources:` (CPU, memory, GPUs) and `labels:`
 * (worker labels such as highmem). Neither is part of a step's cache key: where a step runs does
 * not change what it computes. The distributed queue routes a step to workers with its labels;
 * the Argo export turns resources into Kubernetes requests.
 *
 * The rules are JSON Schema (so editors check them through `medpipe schema`), and each field has
 * one message, so a wrong value reads the same whichever of the schema's rules it broke.
 */

/** A number, a decimal or ".5", with at least one digit that is not 0 (so never zero). */
const POSITIVE_DECIMAL = '(?=[^1-9]*[1-9])([0-9]+(\\.[0-9]+)?|\\.[0-9]+)';

/** Kubernetes CPU: cores as a string ("2", "0.5") or millicores ("500m"). */
export const CPU_QUANTITY_PATTERN = `^${POSITIVE_DECIMAL}m?$`;
/** Kubernetes memory: bytes, or with a binary (Ki, Mi, Gi, Ti, Pi, Ei) or decimal (k, M, G, T, P, E) suffix. */
export const MEMORY_QUANTITY_PATTERN = `^${POSITIVE_DECIMAL}([KMGTPE]i|[kMGTPE])?$`;
/** A worker label: lower-case letters, digits and "-", starting with a letter or digit. */
export const LABEL_PATTERN = '^[a-z0-9][a-z0-9-]*$';

/** The fields of `resources:`, for "did you mean" on an unknown one. */
export const RESOURCE_FIELDS = ['cpu', 'memory', 'gpu'] as const;

export interface StepResources {
  /** Cores: a number above 0 (2, 0.5) or a Kubernetes quantity ("500m"). */
  readonly cpu?: number | string;
  /** A Kubernetes quantity ("512Mi", "4Gi"). */
  readonly memory?: string;
  /** Whole GPUs. */
  readonly gpu?: number;
}

export function resourcesSchema(): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    description:
      'What the step needs from the machine that runs it (a queue worker, a Kubernetes pod); not part of the cache key. Kubernetes quantities: cpu 2, 0.5 or "500m"; memory "512Mi", "4Gi".',
    properties: {
      cpu: {
        anyOf: [
          { type: 'number', exclusiveMinimum: 0 },
          { type: 'string', pattern: CPU_QUANTITY_PATTERN },
        ],
        description: 'Cores: a number above 0 (2, 0.5) or millicores as a string ("500m").',
      },
      memory: { type: 'string', pattern: MEMORY_QUANTITY_PATTERN, description: 'Memory as a Kubernetes quantity: "512Mi", "4Gi".' },
      gpu: { type: 'integer', minimum: 0, description: 'Whole GPUs.' },
    },
  };
}

export function labelsSchema(): Record<string, unknown> {
  return {
    type: 'array',
    uniqueItems: true,
    items: { type: 'string', pattern: LABEL_PATTERN },
    description: 'Worker labels the step needs (e.g. [highmem]): the queue runs it only on workers started with them. Not part of the cache key.',
  };
}

/**
 * The message for a schema error (its ajv keyword) under `resources:` or `labels:` (the path
 * inside the step), or undefined for a path elsewhere.
 */
export function placementFieldMessage(path: readonly (string | number)[], keyword: string, params: Record<string, unknown> = {}): string | undefined {
  const [field, sub] = path;
  if (field === 'resources') {
    if (sub === undefined)
      return keyword === 'minProperties'
        ? 'resources is empty: give cpu, memory or gpu, or leave resources out'
        : 'resources must be a mapping of cpu, memory and gpu, e.g. { cpu: 2, memory: "4Gi" }';
    if (sub === 'cpu') return 'resources.cpu must be a number above 0 (2, 0.5) or millicores as a string ("500m")';
    if (sub === 'memory') return 'resources.memory must be a Kubernetes quantity as a string, e.g. "512Mi" or "4Gi"';
    if (sub === 'gpu') return 'resources.gpu must be a whole number of GPUs, 0 or more';
  }
  if (field === 'labels') {
    if (sub === undefined)
      return keyword === 'uniqueItems' ? `labels lists a label twice (${duplicates(params)})` : 'labels must be a list of worker labels, e.g. [highmem, gpu]';
    return `labels[${String(sub)}] must be a label of lower-case letters, digits and "-", starting with a letter or digit (e.g. highmem)`;
  }
  return undefined;
}

/** The two positions ajv's uniqueItems error names, first one first. */
function duplicates(params: Record<string, unknown>): string {
  const [a, b] = [Number(params.i), Number(params.j)].sort((x, y) => x - y);
  return `labels[${a}] and labels[${b}]`;
}

/** Parameters the molecule-comparing steps share (retrieve.nearest, annotate.nearest, select.diverse), defined once. */

export const FINGERPRINT_PREFIX_PARAM = {
  type: 'string',
  minLength: 1,
  default: 'fp_',
  description: "Name prefix of the fingerprint bit columns (featurize.molecules' fingerprint.prefix); a value >= 0.5 is a set bit.",
} as const;

export const COMPARED_COLUMNS_PARAM = {
  type: ['array', 'null'],
  items: { type: 'string' },
  minItems: 1,
  uniqueItems: true,
  default: null,
  description:
    'The columns compared; null = every numeric column both tables share (tanimoto: the fingerprint bits; euclidean: the descriptors, not the fingerprint bits, ids or the target).',
} as const;

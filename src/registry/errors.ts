/**
 * The registry's one error class. `kind` lets callers map it: `not-found` and `corrupt` (the store or registry was damaged) are
 * failures (exit 1), `invalid` is bad input (a malformed name or reference).
 */
export type RegistryErrorKind = 'not-found' | 'invalid' | 'corrupt';

export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  constructor(kind: RegistryErrorKind, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.kind = kind;
  }
}

/**
 * Model names, aliases, tag keys and references (`NAME`, `NAME@3`, `NAME@production`): what is
 * allowed and how a reference is read. An alias may not be all digits, so `@3` is always a version.
 */
import { RegistryError } from './errors.js';

/** The rules as JSON Schema patterns too, so the register step's schema checks them at validate time. */
export const MODEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
export const ALIAS_PATTERN = '^[A-Za-z][A-Za-z0-9._-]{0,63}$';
export const TAG_KEY_PATTERN = '^[A-Za-z][A-Za-z0-9._:-]{0,63}$';
export const MODEL_NAME_RULE = 'use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128 characters (e.g. breast-cancer-svm)';
export const ALIAS_RULE = 'start with a letter, then letters, digits, ".", "_" or "-", at most 64 characters (e.g. production)';
export const TAG_KEY_RULE = 'start with a letter, then letters, digits, ".", "_", ":" or "-", at most 64 characters (e.g. reviewed-by)';

const NAME = new RegExp(MODEL_NAME_PATTERN);
const ALIAS = new RegExp(ALIAS_PATTERN);
const TAG_KEY = new RegExp(TAG_KEY_PATTERN);

/** What a reference points at: the latest version, a numbered version, or an alias. */
export type VersionSelector = { kind: 'latest' } | { kind: 'version'; version: number } | { kind: 'alias'; alias: string };

export interface ModelRef {
  readonly name: string;
  readonly selector: VersionSelector;
}

export function checkModelName(name: string): string {
  if (!NAME.test(name)) throw new RegistryError('invalid', `"${name}" is not a valid model name: ${MODEL_NAME_RULE}`);
  return name;
}

export function checkAlias(alias: string): string {
  if (!ALIAS.test(alias)) throw new RegistryError('invalid', `"${alias}" is not a valid alias: ${ALIAS_RULE}`);
  return alias;
}

export function checkTagKey(key: string): string {
  if (!TAG_KEY.test(key)) throw new RegistryError('invalid', `"${key}" is not a valid tag key: ${TAG_KEY_RULE}`);
  return key;
}

export function parseRef(ref: string): ModelRef {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { name: checkModelName(ref), selector: { kind: 'latest' } };
  const name = checkModelName(ref.slice(0, at));
  const what = ref.slice(at + 1);
  if (/^[0-9]+$/.test(what)) {
    const version = Number(what);
    if (!Number.isSafeInteger(version) || version < 1) throw new RegistryError('invalid', `"${ref}": versions are numbered from 1`);
    return { name, selector: { kind: 'version', version } };
  }
  if (what === '') throw new RegistryError('invalid', `"${ref}": put a version or alias after "@", e.g. ${name}@3 or ${name}@production`);
  return { name, selector: { kind: 'alias', alias: checkAlias(what) } };
}

export function formatRef(name: string, version: number): string {
  return `${name}@${version}`;
}

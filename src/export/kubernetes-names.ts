/**
 * Names for Kubernetes and Argo objects made from medpipe's names. A step id may hold "_", capitals
 * and, once a sweep is expanded, "[C=0.1,kernel=rbf]"; an Argo template or task name is letters,
 * digits and "-" (Argo's workflowFieldNameFmt, at most 128 characters) and becomes part of pod
 * names, which are lower-case DNS labels of at most 63. So each name is made lower-case, every
 * other character becomes "-", and a name that is taken or too long gets a short digest of the
 * original, which keeps it unique and the same from one export to the next.
 */
import { sha256 } from '../engine/fingerprint.js';

/** A DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_DNS_LABEL_LENGTH = 63;

/** `text` as a DNS label's characters, without a length limit ("" when nothing is left). */
function labelCharacters(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `text` cut to at most `max` characters, not ending in "-". */
function cut(text: string, max: number): string {
  return text.slice(0, max).replace(/-+$/, '');
}

/**
 * Gives each original name a distinct DNS label, in the order asked: the label made from it when
 * that is free and short enough, else a shortened one with "-" and 8 hex digits of its digest.
 */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(
    reserved: readonly string[] = [],
    private readonly max = MAX_DNS_LABEL_LENGTH,
  ) {
    for (const name of reserved) this.taken.add(name);
  }

  allocate(original: string): string {
    const plain = labelCharacters(original);
    if (plain && plain.length <= this.max && !this.taken.has(plain)) return this.take(plain);
    const digest = sha256(original);
    // A digest collision within one pipeline is not expected; the loop only makes it impossible.
    for (let at = 0; at + 8 <= digest.length; at++) {
      const suffix = digest.slice(at, at + 8);
      const base = cut(plain, this.max - suffix.length - 1);
      const name = base ? `${base}-${suffix}` : `s${suffix}`;
      if (!this.taken.has(name)) return this.take(name);
    }
    throw new Error(`internal: no free name for "${original}"`);
  }

  private take(name: string): string {
    this.taken.add(name);
    return name;
  }
}

/** A label value or name prefix made from `text`: at most `max` characters, or `fallback` when nothing is left. */
export function dnsLabel(text: string, max: number, fallback: string): string {
  return cut(labelCharacters(text), max) || fallback;
}

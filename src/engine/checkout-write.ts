/**
 * Writing files into the user's checkout (published metrics and tables, the lock file): the one
 * durable write (durable.ts) with its temporary file beside the target, named by process and
 * host and cleaned up after earlier killed writers.
 */
import { readFileSync } from 'node:fs';
import { writeFileDurably } from './durable.js';

/** Whether `file` holds exactly `content` now (false when it cannot be read). */
function holds(file: string, content: string | Uint8Array): boolean {
  try {
    return readFileSync(file).equals(typeof content === 'string' ? Buffer.from(content) : content);
  } catch {
    return false;
  }
}

/**
 * Replaces a file of the checkout atomically and durably, cleaning up after earlier killed
 * writers. A file that already holds these bytes is left alone: a re-run that changes nothing
 * writes, fsyncs and touches nothing in the checkout (editors and build tools watching it see no
 * change).
 */
export function writeIntoCheckout(file: string, content: string | Uint8Array): void {
  if (!holds(file, content)) writeFileDurably(file, content);
}

/**
 * Writing files into the user's checkout (published metrics and tables, the lock file): the one
 * durable write (durable.ts) with its temporary file beside the target, named by process and
 * host and cleaned up after earlier killed writers.
 */
import { writeFileDurably } from './durable.js';

/** Replaces a file of the checkout atomically and durably, cleaning up after earlier killed writers. */
export function writeIntoCheckout(file: string, content: string | Uint8Array): void {
  writeFileDurably(file, content);
}

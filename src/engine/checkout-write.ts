/**
 * Writing files into the user's checkout (published metrics and tables, the lock file). The
 * temporary file must be beside its target (a rename does not cross file systems, and the store
 * may be on another one), so a kill between write and rename leaves it in the user's folder,
 * where `git add` would pick it up. Its name says whose it is, and every write first removes
 * the ones of this target left by processes of this host that are gone.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileDurably } from './durable.js';
import { HOST_TAG, processAlive } from './store.js';

function tempPrefix(file: string): string {
  return `.${basename(file)}.medpipe-${HOST_TAG}-`;
}

/** Removes temporary files of `file` left by dead processes of this host. */
function removeStaleTemps(file: string): void {
  const prefix = tempPrefix(file);
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) rmSync(join(dirname(file), name), { force: true });
  }
}

/** Replaces a file of the checkout atomically and durably, cleaning up after earlier killed writers. */
export function writeIntoCheckout(file: string, content: string | Uint8Array): void {
  removeStaleTemps(file);
  writeFileDurably(file, content, join(dirname(file), `${tempPrefix(file)}${process.pid}-${randomBytes(4).toString('hex')}.tmp`));
}

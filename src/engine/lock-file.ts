/**
 * Lock files: created with O_EXCL, holding the owner's pid and host; a lock whose process is gone
 * (a killed run) is taken over. Step keys (the store's locks/) and the workspace lock use them.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from './process-tag.js';

/**
 * Creates a lock file (O_EXCL) holding this process's pid and host, plus `about`; a lock whose
 * process is gone is taken over. Returns false while another live process holds it.
 */
export function tryLockFile(file: string, about: Readonly<Record<string, unknown>> = {}): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), ...about, since: new Date().toISOString() }));
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!lockIsStale(file)) return false;
      try {
        unlinkSync(file);
      } catch {
        // another process removed it first; try again
      }
    }
  }
  return false;
}

/** Whether a lock file's process is gone (a killed run), so the lock no longer protects anything. */
export function lockIsStale(file: string): boolean {
  let lock: { pid: number; host: string } | undefined;
  try {
    lock = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; host: string };
  } catch {
    lock = undefined;
  }
  if (!lock) {
    // Unreadable: a process died between creating and writing it, or is writing it right now.
    try {
      return Date.now() - statSync(file).mtimeMs > 5000;
    } catch {
      return true;
    }
  }
  return lock.host === hostname() && !processAlive(lock.pid);
}

/**
 * Whose a temporary file or lock is. Names of temporary files carry the process id and a digest
 * of the host name: a store or checkout shared by several machines (NFS, containers on one
 * volume) must only clean up the leftovers of its own host's processes, and only of dead ones.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

export const HOST_TAG = `h${createHash('sha256').update(hostname()).digest('hex').slice(0, 8)}`;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` names another process of this host that is gone (so what it left can be removed). */
export function deadProcessOfThisHost(pid: number, host: string): boolean {
  return host === HOST_TAG && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
}

/** The start of every scratch name this process makes in the store's tmp/ (see ownerOfScratch). */
export const SCRATCH_PREFIX = `${process.pid}-${HOST_TAG}`;

/** The process and host a scratch name in the store's tmp/ was made by (`PID-HOST-…`). */
export function ownerOfScratch(name: string): { pid: number; host: string } {
  const [pidText, host] = name.split('-');
  return { pid: Number(pidText), host: host ?? '' };
}

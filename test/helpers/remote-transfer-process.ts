/**
 * A medpipe process moving one step's outputs to or from a remote, for tests that kill it
 * mid-transfer:
 *
 *   node remote-transfer-process.js push URL STORE ENTRY_FILE   # RemoteCache.pushEntry
 *   node remote-transfer-process.js fetch URL STORE DIGEST      # RemoteCache.fetchObject
 *
 * When FREEZE_AT_BYTES have moved it prints `frozen` and stops dead (the event loop blocked, the
 * transfer half done), so the test can SIGKILL it at a known point instead of racing a fast
 * loopback transfer. Without arguments it does nothing (the test runner may load it as a file).
 */
import { writeSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { LocalStore } from '../../src/engine/local-store.js';
import type { CacheEntry } from '../../src/engine/store.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';
import { openBackend } from '../../src/remote/remote-url.js';

export const FREEZE_AT_BYTES = 8 * 1024 * 1024;

const [mode, url, storeDir, arg] = process.argv.slice(2);
if (mode && url && storeDir && arg) {
  let frozen = false;
  const cache = new RemoteCache(await openBackend(url, process.cwd()), {
    onTransfer: (event) => {
      if (frozen || event.done < FREEZE_AT_BYTES) return;
      frozen = true;
      writeSync(1, 'frozen\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    },
  });
  const store = new LocalStore(storeDir);
  if (mode === 'push') {
    const entry = JSON.parse(readFileSync(arg, 'utf8')) as CacheEntry;
    writeSync(1, `${await cache.pushEntry(entry, store)}\n`);
  } else {
    writeSync(1, `${await cache.fetchObject(arg, store)}\n`);
  }
  cache.close();
}

/**
 * Preloaded into a `medpipe` process (`node --import kill-at.js …`) to SIGKILL it at an exact
 * point instead of at a random instant: just before the first rename (renameSync, or fs/promises rename) whose destination matches
 * MEDPIPE_FAULT_KILL_RENAME (a regular expression, tested on "FROM -> TO"), that is, after a file was written in full
 * under its temporary name and before it takes its real one. That is the instant every
 * "write, then rename into place" leaves its temporary file behind, which a random kill hits
 * only by luck. Worker threads load it too (they inherit --import), so renames made by steps
 * count as well. Real process, real files, a real SIGKILL: nothing is simulated.
 */
import nodeFs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const pattern = process.env.MEDPIPE_FAULT_KILL_RENAME;
if (pattern) {
  const match = new RegExp(pattern);
  const killIfMatched = (from: nodeFs.PathLike, to: nodeFs.PathLike): void => {
    if (match.test(`${String(from)} -> ${String(to)}`)) process.kill(process.pid, 'SIGKILL');
  };
  const renameSync = nodeFs.renameSync;
  nodeFs.renameSync = (from, to): void => {
    killIfMatched(from, to);
    renameSync(from, to);
  };
  const rename = nodeFs.promises.rename;
  nodeFs.promises.rename = async (from, to): Promise<void> => {
    killIfMatched(from, to);
    return rename(from, to);
  };
  // ES modules that import { renameSync } from 'node:fs' or { rename } from 'node:fs/promises' see the replacements too.
  syncBuiltinESMExports();
}

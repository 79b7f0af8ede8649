/** Loaded with `node --import` into a measured process: reports its peak RSS on exit, on fd 3 if open. */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const line = `MEDPIPE_PEAK_RSS_KB=${process.resourceUsage().maxRSS}\n`;
  try {
    writeSync(3, line);
  } catch {
    process.stderr.write(line);
  }
});

/** medpipe's version, from the package.json it ships with (read only when asked: `medpipe --version`). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function medpipeVersion(): string {
  // dist/src/cli/version.js -> the package root, in the repository and in an installed package alike.
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

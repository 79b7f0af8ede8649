/**
 * The `yaml` library, loaded on first use rather than with the module that names it. A re-run of
 * an unchanged pipeline parses no YAML (engine/parsed-cache.ts) and writes its lock file without
 * the library for plain names, and loading the library's ~50 modules was ~20 ms of its start-up.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

const require = createRequire(import.meta.url);
let lib: Yaml | undefined;

export function yaml(): Yaml {
  lib ??= require('yaml') as Yaml;
  return lib;
}

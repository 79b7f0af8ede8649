/**
 * Parameter files: a pipeline's `params_file:` (as DVC users keep params.yaml next to dvc.yaml)
 * and `--params FILE` for a run. Each is a YAML mapping of parameter names to values, read with
 * the pipeline loader's checks (UTF-8, no duplicate keys, no alias bombs, no custom tags), so a
 * problem in one is reported at its own file:line:col.
 */
import { PipelineError, type Diagnostic } from '../errors.js';
import { readPipelineSource } from './load.js';
import { PARAM_NAME_PATTERN, isReservedName, reservedNameMessage } from './schema.js';
import { diagnosticAt } from './source.js';

const PARAM_NAME = new RegExp(PARAM_NAME_PATTERN);

/** The parameters in a file; problems go to `diagnostics` (and nothing is returned when the file is unusable). */
export function readParamsFile(path: string, shownAs: string, diagnostics: Diagnostic[]): Record<string, unknown> | undefined {
  let source: ReturnType<typeof readPipelineSource>;
  try {
    source = readPipelineSource(path);
  } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    diagnostics.push(...e.diagnostics.map((d) => ({ ...d, file: d.file === path ? shownAs : d.file })));
    return undefined;
  }
  source = { ...source, file: shownAs };
  const values = source.value;
  if (values === null || values === undefined) return {};
  if (typeof values !== 'object' || Array.isArray(values)) {
    diagnostics.push(diagnosticAt(source, [], 'a parameters file is a mapping of parameter names to values, e.g. "seed: 42"'));
    return undefined;
  }
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (isReservedName(name)) diagnostics.push(diagnosticAt(source, [name], reservedNameMessage(name), 'key'));
    else if (!PARAM_NAME.test(name))
      diagnostics.push(diagnosticAt(source, [name], `"${name}" is not a parameter name: letters, digits, _ and -, starting with a letter or _`, 'key'));
    else Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return params;
}

/**
 * Files the engine writes for the user (`metrics_file:`, `table_file:`, see StepType.publish)
 * must not be files the pipeline reads (a step's data file, a custom step's code, the pipeline
 * file or its lock file), nor a file another step writes too: the first would destroy the input
 * (a metrics report over the training CSV), the second makes the file's content depend on which
 * step finished last.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { lockFilePath } from '../metrics/lock-file.js';
import { dataFileOf, pointerPathFor } from './data-pointer.js';
import type { PipelineStep } from './pipeline.js';

/** One published file in the way of something: the step of the file (not a sweep's expansion) and its parameter. */
export interface PublishConflict {
  readonly step: string;
  readonly param: string;
  readonly message: string;
  readonly hint: string;
}

const OWN_PATH = 'give each published file a path of its own';

/** The id a step has in the pipeline file: a sweep's `svm[C=1]` is `svm` there. */
function fileStepId(step: PipelineStep): string {
  const bracket = step.id.indexOf('[');
  return bracket < 0 ? step.id : step.id.slice(0, bracket);
}

/**
 * The same for every path of one file: device and inode when it exists (so a symbolic or hard
 * link is the file it links to), else the real folder and the name.
 */
function identityOf(path: string): string {
  try {
    const stat = statSync(path);
    return `inode ${stat.dev}:${stat.ino}`;
  } catch {
    try {
      return `path ${join(realpathSync(dirname(path)), basename(path))}`;
    } catch {
      return `path ${path}`;
    }
  }
}

/** Every published file that would overwrite what the pipeline reads, or what another step publishes. */
export function publishConflicts(steps: Iterable<PipelineStep>, pipelineFile: string, dir: string): PublishConflict[] {
  const all = [...steps];
  // One stat per file: a thousand steps of one custom step share its module.
  const identities = new Map<string, string>();
  const fileIdentity = (path: string): string => {
    let identity = identities.get(path);
    if (identity === undefined) {
      identity = identityOf(path);
      identities.set(path, identity);
    }
    return identity;
  };
  const read = new Map<string, string>([
    [fileIdentity(pipelineFile), 'the pipeline file itself'],
    [fileIdentity(lockFilePath(pipelineFile)), "the pipeline's lock file"],
  ]);
  for (const step of all) {
    for (const name of step.type.fileParams ?? []) {
      const value = step.params[name];
      if (typeof value !== 'string') continue;
      const path = resolve(dir, value);
      const reads = `the file step "${fileStepId(step)}" reads (with.${name})`;
      read.set(fileIdentity(path), reads);
      // A data pointer stands for its data file (data-pointer.ts): overwriting either loses the input or its record.
      const pointer = pointerPathFor(path);
      if (pointer) read.set(fileIdentity(pointer === path ? dataFileOf(path) : pointer), reads);
    }
    if (step.custom) read.set(fileIdentity(step.custom.modulePath), `the code of step "${fileStepId(step)}"`);
  }

  const conflicts = new Map<string, PublishConflict>();
  const written = new Map<string, { step: string; param: string }>();
  for (const step of all) {
    const param = step.type.publish?.param;
    const value = param === undefined ? undefined : step.params[param];
    if (param === undefined || typeof value !== 'string') continue;
    const id = fileStepId(step);
    const path = resolve(dir, value);
    const identity = fileIdentity(path);
    const other = written.get(identity);
    const conflict = (message: string, hint = OWN_PATH): void =>
      void conflicts.set(`${id}\0${param}`, { step: id, param, message: `with.${param}: ${message}: ${path}`, hint });
    if (isFolder(path)) conflict('is a folder, not a file');
    else if (read.has(identity)) conflict(`would overwrite ${read.get(identity)}`);
    else if (other?.step === id)
      conflict(
        'each combination of the sweep it is part of would write this same file',
        'publish from a step after the sweep, e.g. one that evaluates the select-best model',
      );
    else if (other) conflict(`step "${other.step}" (with.${other.param}) writes this file too`);
    else written.set(identity, { step: id, param });
  }
  return [...conflicts.values()];
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

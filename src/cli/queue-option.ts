/**
 * Which queue `run` sends its steps to: `--queue URL`, else MEDPIPE_QUEUE, else `queue:` in
 * medpipe.config.yaml. A queued run needs a remote too (the workers read inputs and return
 * outputs through it). The URL is shown only without its password.
 */
import { UsageError } from '../errors.js';
import { readProjectConfig } from '../engine/project-config.js';
import { parseQueueUrl, QueueUrlError, type QueueUrl } from '../queue/queue-url.js';

export function chooseQueue(values: { readonly queue?: string }, cwd: string): { url: QueueUrl; from: string } | undefined {
  const fromEnv = process.env.MEDPIPE_QUEUE;
  const [text, from] =
    values.queue !== undefined
      ? [values.queue, '--queue']
      : fromEnv
        ? [fromEnv, 'MEDPIPE_QUEUE']
        : (() => {
            const config = readProjectConfig(cwd);
            return [config.queue, `queue: in ${config.file}`];
          })();
  if (text === undefined || text === '') return undefined;
  try {
    return { url: parseQueueUrl(text), from };
  } catch (e) {
    if (e instanceof QueueUrlError) throw new UsageError(`${from}: ${e.message}`);
    throw e;
  }
}

/** One line per event, for CI logs and anything that is not a terminal. */
import type { EngineEvent } from '../../engine/events.js';
import { formatDuration, type Reporter } from './types.js';

export class PlainReporter implements Reporter {
  private lastProgress = new Map<string, number>();
  constructor(private readonly write: (line: string) => void) {}

  onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'run:start':
        this.write(
          `medpipe: running ${e.pipeline} (${e.file}), ${e.steps.length} step${e.steps.length === 1 ? '' : 's'}, concurrency ${e.concurrency}, run ${e.runId}`,
        );
        if (e.experiment)
          this.write(`medpipe: experiment (${e.experiment}): cached and recorded, but no metrics, table or lock file is written and no alias moves`);
        break;
      case 'run:waiting':
        this.write(`medpipe: waiting for ${e.holder}, which publishes into this checkout`);
        break;
      case 'step:cached':
        this.write(`  ${e.step}: cached${e.source === 'remote' ? ' (remote)' : ''}`);
        break;
      case 'run:warning':
        this.write(`medpipe: warning: ${e.message}`);
        break;
      case 'step:waiting':
        this.write(`  ${e.step}: waiting for another run that is computing it`);
        break;
      case 'step:start':
        this.write(`  ${e.step}: running`);
        break;
      case 'step:progress': {
        // Plain logs get at most one progress line per step every 2 s.
        const now = Date.now();
        if (now - (this.lastProgress.get(e.step) ?? 0) < 2000) break;
        this.lastProgress.set(e.step, now);
        this.write(`  ${e.step}: ${e.message}${e.fraction !== undefined ? ` (${Math.round(e.fraction * 100)}%)` : ''}`);
        break;
      }
      case 'step:log':
        this.write(`  ${e.step}: ${e.message}`);
        break;
      case 'step:warning':
        this.write(`  ${e.step}: warning: ${e.message}`);
        break;
      case 'step:done':
        this.write(`  ${e.step}: done in ${formatDuration(e.durationMs)}`);
        break;
      case 'step:failed':
        this.write(`  ${e.step}: FAILED after ${formatDuration(e.durationMs)}: ${e.error}`);
        break;
      case 'step:cancelled':
        this.write(`  ${e.step}: cancelled after ${formatDuration(e.durationMs)}, ${e.reason}`);
        break;
      case 'step:skipped':
        this.write(`  ${e.step}: skipped, ${e.reason}`);
        break;
      case 'run:done':
        this.write(summaryLine(e));
        break;
    }
  }

  close(): void {}
}

export function summaryLine(e: Extract<EngineEvent, { type: 'run:done' }>): string {
  const c = e.counts;
  return `medpipe: ${e.status === 'ok' ? 'ok' : e.status === 'interrupted' ? 'INTERRUPTED' : 'FAILED'} in ${formatDuration(e.durationMs)}: ${c.done} ran, ${c.cached} cached, ${c.failed} failed, ${c.cancelled ? `${c.cancelled} cancelled, ` : ''}${c.skipped} skipped (run ${e.runId})`;
}

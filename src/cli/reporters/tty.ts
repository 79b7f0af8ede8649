/** A live table of the steps on a terminal: one row per step, redrawn in place as they progress. */
import type { EngineEvent } from '../../engine/events.js';
import { summaryLine } from './plain.js';
import { formatDuration, type Reporter } from './types.js';

interface Row {
  state: 'pending' | 'waiting' | 'running' | 'cached' | 'done' | 'failed' | 'cancelled' | 'skipped';
  startedAt?: number;
  durationMs?: number;
  detail?: string;
}

const SYMBOL: Record<Row['state'], string> = { pending: '·', waiting: '…', running: '▶', cached: '=', done: '✓', failed: '✗', cancelled: '⊘', skipped: '-' };
const COLOR: Record<Row['state'], string> = {
  pending: '2',
  waiting: '33',
  running: '36',
  cached: '2',
  done: '32',
  failed: '31',
  cancelled: '33',
  skipped: '33',
};

export class TtyReporter implements Reporter {
  private rows = new Map<string, Row>();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private header = '';
  private footer: string[] = [];

  constructor(private readonly out: NodeJS.WriteStream) {}

  onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'run:waiting':
        // Before the table exists: a plain line, which the table is then drawn under.
        this.out.write(`medpipe: waiting for ${e.holder}, which publishes into this checkout\n`);
        break;
      case 'run:start':
        this.header = `medpipe: ${e.pipeline} (${e.file}) · run ${e.runId} · concurrency ${e.concurrency}${e.experiment ? `\nexperiment (${e.experiment}): no metrics, table or lock file is written, no alias moves` : ''}`;
        for (const s of e.steps) this.rows.set(s, { state: 'pending' });
        this.timer = setInterval(() => this.draw(), 200);
        this.timer.unref();
        break;
      case 'step:cached':
        this.set(e.step, { state: 'cached', detail: e.source === 'remote' ? 'from the remote' : '' });
        break;
      case 'run:warning':
        this.footer.push(`! ${e.message}`);
        break;
      case 'step:waiting':
        this.set(e.step, { state: 'waiting', detail: 'waiting for another run' });
        break;
      case 'step:start':
        this.set(e.step, { state: 'running', startedAt: Date.now(), detail: '' });
        break;
      case 'step:progress':
        this.set(e.step, { detail: `${e.message}${e.fraction !== undefined ? ` ${Math.round(e.fraction * 100)}%` : ''}` });
        break;
      case 'step:log':
        break;
      case 'step:warning':
        this.footer.push(`! ${e.step}: ${e.message}`);
        break;
      case 'step:done':
        this.set(e.step, { state: 'done', durationMs: e.durationMs, detail: '' });
        break;
      case 'step:failed':
        this.set(e.step, { state: 'failed', durationMs: e.durationMs, detail: '' });
        this.footer.push(`✗ ${e.step}: ${e.error}`);
        break;
      case 'step:cancelled':
        this.set(e.step, { state: 'cancelled', durationMs: e.durationMs, detail: e.reason });
        break;
      case 'step:skipped':
        this.set(e.step, { state: 'skipped', detail: e.reason });
        break;
      case 'run:done':
        this.footer.push(summaryLine(e));
        break;
    }
  }

  private set(step: string, patch: Partial<Row>): void {
    const row = this.rows.get(step) ?? { state: 'pending' };
    this.rows.set(step, { ...row, ...patch });
    this.draw();
  }

  private draw(): void {
    const width = Math.max(...[...this.rows.keys()].map((k) => k.length), 4);
    const lines = this.header.split('\n');
    for (const [step, row] of this.rows) {
      const time =
        row.state === 'running' && row.startedAt
          ? formatDuration(Date.now() - row.startedAt)
          : row.durationMs !== undefined && row.state !== 'cached'
            ? formatDuration(row.durationMs)
            : '';
      const cols = (this.out.columns || 100) - 1;
      const head = `  ${SYMBOL[row.state]} ${step.padEnd(width)}  ${row.state.padEnd(9)}`;
      const tail = ` ${time.padStart(8)}  ${row.detail ?? ''}`.slice(0, Math.max(0, cols - head.length));
      lines.push(`\x1b[${COLOR[row.state]}m${head}\x1b[0m${tail}`);
    }
    if (this.drawnLines) this.out.write(`\x1b[${this.drawnLines}A`);
    this.out.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.drawnLines = lines.length;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
    for (const f of this.footer) this.out.write(`${f}\n`);
  }
}

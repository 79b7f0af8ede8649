/** JSON lines, one engine event per line, for machines (`--json`). */
import type { EngineEvent } from '../../engine/events.js';
import type { Reporter } from './types.js';

export class JsonReporter implements Reporter {
  constructor(private readonly write: (line: string) => void) {}
  onEvent(e: EngineEvent): void {
    this.write(JSON.stringify(e));
  }
  close(): void {}
}

/** A reporter turns engine events into output for a person or a machine. */
import type { EngineEvent } from '../../engine/events.js';

export interface Reporter {
  onEvent(event: EngineEvent): void;
  /** Called once after the run, to flush a live display. */
  close(): void;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

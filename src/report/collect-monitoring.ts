/**
 * The monitoring history of the models a run checked (its monitor steps) and registered (its
 * register steps), read from the store's registry, for the report's time series. Figures only:
 * the history holds no rows.
 */
import { stepTypeOf, type CollectContext } from './collect-context.js';
import type { MonitoringHistory } from './report-data.js';

export async function monitoringHistories(ctx: CollectContext): Promise<MonitoringHistory[]> {
  const versions = new Map<string, { name: string; version: number }>();
  for (const step of ctx.steps) {
    const type = stepTypeOf(ctx, step.id);
    const s = ctx.record.steps[step.id]?.summary as { recorded?: { name?: unknown; version?: unknown }; name?: unknown; version?: unknown } | undefined;
    const v = type === 'monitor' ? s?.recorded : type === 'register' ? s : undefined;
    if (typeof v?.name === 'string' && typeof v.version === 'number') versions.set(`${v.name}@${v.version}`, { name: v.name, version: v.version });
  }
  if (!versions.size) return [];
  const { Registry } = await import('../registry/index.js');
  if (!Registry.exists(ctx.store.root)) return [];
  const registry = Registry.open(ctx.store.root);
  try {
    const out: MonitoringHistory[] = [];
    for (const [ref, v] of versions) {
      let checks: ReturnType<typeof registry.monitoringHistory>;
      try {
        checks = registry.monitoringHistory(ref);
      } catch (e) {
        out.push({ ...v, checks: [], missing: (e as Error).message });
        continue;
      }
      if (!checks.length) continue;
      out.push({
        ...v,
        checks: checks.map((c) => {
          const s = c.summary;
          const n = (x: unknown): number | null => (typeof x === 'number' ? x : null);
          const metrics = (s.metrics ?? {}) as Record<string, { value?: unknown; ci_low?: unknown; ci_high?: unknown }>;
          return {
            id: c.id,
            at: c.at,
            source: c.source,
            rows: c.rows,
            passed: c.passed,
            psiMax: n(s['psi.max']),
            ksDrifted: n(s['ks.drifted']),
            predictionPsi: n(s['prediction.psi']),
            metrics: Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, { value: n(m.value), ci_low: n(m.ci_low), ci_high: n(m.ci_high) }])),
          };
        }),
      });
    }
    return out;
  } finally {
    registry.close();
  }
}

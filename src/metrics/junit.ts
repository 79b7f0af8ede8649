/**
 * JUnit XML for a metrics diff, so any CI shows regressions natively: one testsuite per metrics
 * file, one testcase per metric; a regression is a <failure>, a removed metric is <skipped>.
 */
import { formatNumber, type MetricsDiff } from './diff.js';

/** XML-escapes text for attributes and content, dropping characters XML 1.0 cannot hold. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function formatJunit(diff: MetricsDiff, name = 'medpipe metrics'): string {
  const attr = (k: string, v: string | number): string => ` ${k}="${xmlEscape(String(v))}"`;
  const total = diff.files.reduce((n, f) => n + f.metrics.length, 0);
  const failures = diff.files.reduce((n, f) => n + f.metrics.filter((m) => m.status === 'REGRESSED').length, 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('name', name)}${attr('tests', total)}${attr('failures', failures)}${attr('errors', 0)}>`,
  ];
  for (const f of diff.files) {
    const fails = f.metrics.filter((m) => m.status === 'REGRESSED').length;
    const skipped = f.metrics.filter((m) => m.status === 'removed').length;
    out.push(`  <testsuite${attr('name', f.file)}${attr('tests', f.metrics.length)}${attr('failures', fails)}${attr('errors', 0)}${attr('skipped', skipped)}>`);
    for (const m of f.metrics) {
      const open = `    <testcase${attr('classname', f.file)}${attr('name', m.metric)}${attr('time', 0)}`;
      const detail = `baseline ${formatNumber(m.old?.value) || 'none'}, current ${formatNumber(m.new?.value) || 'none'}, delta ${formatNumber(m.delta, true) || 'n/a'}, tolerance ${m.allowed}, ${m.direction} is better (against ${diff.baseline})`;
      if (m.status === 'REGRESSED') {
        out.push(
          `${open}>`,
          `      <failure${attr('type', 'regression')}${attr('message', `${m.metric} regressed: ${detail}`)}>${xmlEscape(detail)}</failure>`,
          '    </testcase>',
        );
      } else if (m.status === 'removed') {
        out.push(`${open}>`, `      <skipped${attr('message', `${m.metric} is no longer reported (${detail})`)}/>`, '    </testcase>');
      } else {
        out.push(`${open}>`, `      <system-out>${xmlEscape(`${m.status}: ${detail}`)}</system-out>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

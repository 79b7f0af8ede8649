/**
 * The model card a register step wrote (Markdown, src/bundle/card.ts) cut into the parts the
 * report's first section shows. Only the headings the card writer emits are looked for; a card
 * without one of them gives an empty part, which the page shows as "not stated".
 */
import type { CardExplanations, ModelCardText } from './report-data.js';

/** The lines under each "## " heading, by heading; the lines before the first under "". */
function sections(markdown: string): Map<string, string[]> {
  const out = new Map<string, string[]>([['', []]]);
  let current = '';
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading && !line.startsWith('###')) {
      current = heading[1].toLowerCase();
      out.set(current, []);
    } else out.get(current)?.push(line);
  }
  return out;
}

/** Paragraph text: the lines joined, blank lines kept as paragraph breaks. */
function prose(lines: readonly string[] | undefined): string {
  return (lines ?? [])
    .join('\n')
    .trim()
    .replace(/\n{3,}/g, '\n\n');
}

function bullets(lines: readonly string[] | undefined): string[] {
  return (lines ?? []).filter((l) => l.startsWith('- ')).map((l) => l.slice(2).trim());
}

/** The explanation section's bullets, caption and "| feature | value |" table; undefined when the card has none. */
function explanations(lines: readonly string[] | undefined): CardExplanations | undefined {
  if (!lines) return undefined;
  const caption = lines.find((l) => l.startsWith('Mean |contribution|'))?.replace(/:$/, '') ?? '';
  const features = lines
    .filter((l) => /^\| .+ \| [0-9.e+-]+ \|$/.test(l))
    .map((l) => {
      const cells = l.split(' | ');
      return { feature: cells[0].slice(2), value: Number(cells[cells.length - 1].slice(0, -2)) };
    });
  return { bullets: bullets(lines), caption, features };
}

export function parseModelCard(markdown: string): ModelCardText {
  const parts = sections(markdown);
  const head = parts.get('') ?? [];
  const titleLine = head.find((l) => l.startsWith('# ')) ?? '';
  const description = prose(head.filter((l) => !l.startsWith('# ')));
  return {
    title: titleLine.replace(/^#\s+(Model card:\s*)?/, '').trim(),
    description,
    intendedUse: prose(parts.get('intended use')),
    limitations: prose(parts.get('limitations')),
    model: bullets(parts.get('model')),
    data: bullets(parts.get('data')),
    ...(parts.has('explanations') ? { explanations: explanations(parts.get('explanations')) } : {}),
  };
}

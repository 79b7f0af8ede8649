/** Small HTML pieces every section of the report uses. All text goes through esc. */
import { esc } from './escape.js';

export const badge = (status: string, text = status): string => `<span class="badge ${esc(status)}">${esc(text)}</span>`;

export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/** A stable, HTML-id-safe name for a step, for anchors. */
export function anchor(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Escaped text with `code spans` and _emphasis_ as the model card writes them, and blank lines as paragraphs. */
export function inlineMarkdown(text: string): string {
  return text
    .split(/\n{2,}/)
    .map(
      (para) =>
        `<p>${esc(para.replace(/\s*\n\s*/g, ' '))
          .replace(/`([^`]+)`/g, '<code>$1</code>')
          .replace(/(^|\s)_([^_]+)_(?=$|[\s.,;:])/g, '$1<em>$2</em>')}</p>`,
    )
    .join('');
}

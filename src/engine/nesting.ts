/**
 * How deeply a YAML text nests, found before it is parsed. yaml's parser and composer recurse
 * once per level and overflow the stack at about a thousand levels (so does every recursive walk
 * of the value afterwards); its lexer is iterative. So the depth is estimated from the lexer's
 * tokens: flow collections by their brackets, block collections by the columns their entries
 * start at (`key:`, `- `, `? `), the way YAML's indentation rules nest them.
 *
 * An estimate: a flow pair inside a flow sequence (`[a: [b: …]]`) is a mapping YAML counts and
 * this does not, so the real depth may be up to twice the estimate, which stays far below the
 * parser's limit for any limit used here.
 */
import { yaml } from '../yaml.js';

interface BlockLevel {
  readonly column: number;
  readonly sequence: boolean;
}

/** The character offset of the token that first opens a level deeper than `limit`, if any. */
export function firstTooDeep(text: string, limit: number): number | undefined {
  const { CST, Lexer } = yaml();
  // The lexer's markers between tokens: not characters of the text.
  const markers = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);
  const block: BlockLevel[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  // Where the current block entry's content starts (its key, for a mapping entry).
  let entry: { offset: number; column: number } | undefined;

  /** A block entry at `column`: in the collection open at that column, or a new, deeper one. */
  const enterBlock = (column: number, sequence: boolean): number => {
    // A sequence may sit at its parent key's column (`key:\n- a`); a key there ends that sequence.
    while (
      block.length &&
      (block[block.length - 1].column > column || (block[block.length - 1].column === column && block[block.length - 1].sequence && !sequence))
    )
      block.pop();
    const top = block[block.length - 1];
    if (!top || top.column !== column || top.sequence !== sequence) block.push({ column, sequence });
    return block.length + flow;
  };

  for (const token of new Lexer().lex(text)) {
    if (markers.has(token)) continue;
    const start = offset;
    offset += token.length;
    const column = start - lineStart;
    if (token.includes('\n')) lineStart = start + token.lastIndexOf('\n') + 1;
    let depth = 0;
    let at = start;
    switch (CST.tokenType(token)) {
      case 'newline':
        entry = undefined;
        break;
      case 'space':
      case 'comment':
      case 'byte-order-mark':
        break;
      case 'doc-start':
      case 'doc-end':
        block.length = 0;
        flow = 0;
        entry = undefined;
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        flow++;
        depth = block.length + flow;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        if (flow === 0) depth = enterBlock(column, token === '-');
        entry = undefined;
        break;
      case 'map-value-ind':
        if (flow === 0 && entry) {
          depth = enterBlock(entry.column, false);
          at = entry.offset;
        }
        entry = undefined;
        break;
      default:
        entry ??= { offset: start, column };
    }
    if (depth > limit) return at;
  }
  return undefined;
}

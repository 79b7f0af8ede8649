/**
 * A tiny XML reader for the JUnit test: checks well-formedness (tags nest and close, attributes
 * are quoted, entities are known) and returns the element tree. Enough for the XML medpipe writes.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&([a-z]+);|&/g, (whole, name: string | undefined) => {
    if (!name || !(name in ENTITIES)) throw new Error(`bad entity near "${whole}"`);
    return ENTITIES[name];
  });
}

export function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < body.length) {
    token.lastIndex = pos;
    m = token.exec(body);
    if (!m) throw new Error(`not well-formed at offset ${pos}: ${JSON.stringify(body.slice(pos, pos + 30))}`);
    pos = token.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = m;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      if (text.includes('>')) throw new Error('unescaped > in text');
      top.text += decode(text);
    } else if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
        if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]}`);
        attrs[a[1]] = decode(a[2]);
      }
      const el: XmlElement = { name, attrs, children: [], text: '' };
      top.children.push(el);
      if (!selfClosing) stack.push(el);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('an XML document has exactly one root element');
  return root.children[0];
}

export function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

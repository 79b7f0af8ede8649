/**
 * Parses a decimal number straight from CSV bytes, without making a string: the hot path of
 * loading a large numeric CSV. Results are correctly rounded (identical to `Number(text)` and to
 * pandas' round-trip parser): up to 15 significant digits with a power of ten of at most 22 the
 * result is exact by Clinger's fast path (both operands are exact doubles, one IEEE operation
 * rounds once); longer numbers fall back to `Number` on the validated text.
 *
 * Accepted: optional sign, digits with an optional `.` (`1`, `-2.5`, `.5`, `5.`), an optional
 * exponent (`1e-3`, `2E+10`), surrounding spaces/tabs, and `inf`/`infinity` in any case with an
 * optional sign. Not accepted: thousands separators, decimal commas, hex, empty text.
 *
 * Infinities are numbers here (a column holding `inf` is numeric); whether the loader accepts one
 * is decided where it stores it (csv-columns.ts), which refuses it unless asked otherwise.
 */

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

const SPACE = 32,
  TAB = 9,
  PLUS = 43,
  MINUS = 45,
  DOT = 46,
  ZERO = 48,
  LOWER_E = 101,
  UPPER_E = 69;

/** The number in bytes [start, end) of `buf`, or NaN when the text is not a number (never otherwise). */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i++;
  while (end > i && (buf[end - 1] === SPACE || buf[end - 1] === TAB)) end--;
  if (i === end) return NaN;
  const first = i;
  let negative = false;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  } else if (buf[i] === PLUS) i++;

  let mantissa = 0;
  let significant = 0; // significant digits taken into mantissa
  let digits = 0; // all digits seen, to reject "." and ""
  let exp10 = 0;
  let c = 0;
  while (i < end && (c = buf[i] - ZERO) >= 0 && c <= 9) {
    if (mantissa !== 0 || c !== 0) {
      if (significant < 15) mantissa = mantissa * 10 + c;
      else exp10++;
      significant++;
    }
    digits++;
    i++;
  }
  if (i < end && buf[i] === DOT) {
    i++;
    while (i < end && (c = buf[i] - ZERO) >= 0 && c <= 9) {
      if (mantissa !== 0 || c !== 0) {
        if (significant < 15) {
          mantissa = mantissa * 10 + c;
          exp10--;
        }
        significant++;
      } else exp10--;
      digits++;
      i++;
    }
  }
  if (digits === 0) return parseInfinity(buf, first, end);
  if (i < end && (buf[i] === LOWER_E || buf[i] === UPPER_E)) {
    i++;
    let expNegative = false;
    if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) {
      expNegative = buf[i] === MINUS;
      i++;
    }
    let e = 0;
    let expDigits = 0;
    while (i < end && (c = buf[i] - ZERO) >= 0 && c <= 9) {
      if (e < 100000) e = e * 10 + c;
      expDigits++;
      i++;
    }
    if (expDigits === 0) return NaN;
    exp10 += expNegative ? -e : e;
  }
  if (i !== end) return NaN;
  if (significant <= 15 && exp10 >= -22 && exp10 <= 22) {
    const v = exp10 >= 0 ? mantissa * POW10[exp10] : mantissa / POW10[-exp10];
    return negative ? -v : v;
  }
  // Too many digits or a large exponent: the text is valid, let the engine round it correctly.
  return Number(latin1(buf, first, end));
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

function parseInfinity(buf: Uint8Array, start: number, end: number): number {
  // Only "inf" or "infinity" with an optional sign can match: spare every other word a string.
  const length = end - start;
  if (length !== 3 && length !== 4 && length !== 8 && length !== 9) return NaN;
  const text = latin1(buf, start, end).toLowerCase();
  const sign = text[0] === '-' ? -1 : 1;
  const body = text[0] === '-' || text[0] === '+' ? text.slice(1) : text;
  return body === 'inf' || body === 'infinity' ? sign * Infinity : NaN;
}

let scratch = new Uint8Array(64);

/**
 * The same parser for a string (used on the inference sample, where every value of every column
 * is tried). Copies the text into a reused buffer instead of encoding it anew: the number grammar
 * is ASCII, so any other character already means "not a number".
 */
export function parseNumberText(text: string): number {
  const n = text.length;
  if (n > scratch.length) scratch = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return NaN;
    scratch[i] = c;
  }
  return parseNumberBytes(scratch, 0, n);
}

/**
 * A pipeline file's bytes as text. Pipeline files are UTF-8 (a byte order mark is allowed):
 * anything else is refused with where it goes wrong, rather than read with replacement
 * characters (a Latin-1 "é" silently becoming "\uFFFD") or as NUL-riddled nonsense (UTF-16).
 */

export type Decoded = { readonly text: string } | { readonly problem: string; readonly offset?: number };

/** Decodes UTF-8, or says why the bytes are not UTF-8 and, for an invalid byte, its offset. */
export function decodeUtf8(bytes: Uint8Array): Decoded {
  const utf16 = utf16ByteOrder(bytes);
  if (utf16) return { problem: `the file is UTF-16 (${utf16}), not UTF-8` };
  try {
    // ignoreBOM keeps a UTF-8 byte order mark in the text, where YAML expects it and positions count it.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8Byte(bytes);
    return {
      problem: `the file is not UTF-8: byte 0x${bytes[offset].toString(16).toUpperCase().padStart(2, '0')} at byte offset ${offset} is not valid UTF-8`,
      offset,
    };
  }
}

/**
 * UTF-16 by its byte order mark, or without one by its NUL bytes: text that is mostly ASCII (as
 * YAML keys are) has a NUL in every other byte in UTF-16, and no NUL at all in UTF-8.
 */
function utf16ByteOrder(bytes: Uint8Array): 'little-endian' | 'big-endian' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'little-endian';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'big-endian';
  const sample = bytes.subarray(0, 4096);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? evenNuls++ : oddNuls++;
  const pairs = sample.length / 2;
  if (pairs >= 2 && oddNuls > pairs / 2 && evenNuls < pairs / 8) return 'little-endian';
  if (pairs >= 2 && evenNuls > pairs / 2 && oddNuls < pairs / 8) return 'big-endian';
  return undefined;
}

/**
 * The offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode's
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF); bytes.length if none.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes are 0x80-0xBF; some leads narrow the range of the byte after them.
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead === 0xe0) [length, low] = [3, 0xa0];
    else if (lead === 0xed) [length, high] = [3, 0x9f];
    else if (lead >= 0xe1 && lead <= 0xef) length = 3;
    else if (lead === 0xf0) [length, low] = [4, 0x90];
    else if (lead === 0xf4) [length, high] = [4, 0x8f];
    else if (lead >= 0xf1 && lead <= 0xf3) length = 4;
    else return i;
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k];
      if (byte === undefined || byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

/** The UTF-8 check agrees with the platform's strict decoder on what is valid, and finds the first bad byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstInvalidUtf8Byte } from '../../src/engine/text-encoding.js';
import { createRng } from '../../src/rng.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const isValid = (bytes: Uint8Array): boolean => {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

test('the first invalid byte of the classic ill-formed sequences is the start of the sequence', () => {
  const cases: [number[], number][] = [
    [[0x61, 0xe9, 0x62], 1], // Latin-1 é
    [[0x61, 0x80], 1], // a lone continuation byte
    [[0xc0, 0x80], 0], // overlong NUL
    [[0xe0, 0x80, 0x80], 0], // overlong 3-byte form
    [[0xed, 0xa0, 0x80], 0], // a UTF-16 surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
    [[0x61, 0xe2, 0x82], 1], // truncated at the end
    [[0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], 7], // € and 😀: valid
  ];
  for (const [bytes, first] of cases) assert.equal(firstInvalidUtf8Byte(Uint8Array.from(bytes)), first, JSON.stringify(bytes));
});

test('on random bytes it agrees with TextDecoder: valid exactly when no invalid byte is found, and valid up to it', () => {
  const rng = createRng(7);
  for (let n = 0; n < 5000; n++) {
    // Mostly bytes that form multi-byte sequences, so both valid and invalid inputs are common.
    const bytes = Uint8Array.from({ length: 1 + rng.int(8) }, () => (rng.next() < 0.3 ? rng.int(0x80) : 0x80 + rng.int(0x80)));
    const first = firstInvalidUtf8Byte(bytes);
    assert.equal(first === bytes.length, isValid(bytes), `${[...bytes]}`);
    assert.ok(isValid(bytes.subarray(0, first)), `${[...bytes]}`);
  }
});

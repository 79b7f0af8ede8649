/**
 * Typed arrays inside a JSON model artifact: base64 of their bytes (little-endian, as every platform
 * Node runs on), so the artifact is compact, exact (no decimal round trip) and byte-identical for the
 * same model.
 */
export interface Encoded {
  dtype: 'f64' | 'i32';
  b64: string;
}

export function encode(a: Float64Array | Int32Array): Encoded {
  return { dtype: a instanceof Float64Array ? 'f64' : 'i32', b64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') };
}

function bytes(e: Encoded, width: number): ArrayBuffer {
  const buf = Buffer.from(e.b64, 'base64');
  if (buf.length % width !== 0) throw new Error(`corrupt model artifact: an array of ${buf.length} bytes is not a whole number of ${width}-byte values`);
  // Copy into a fresh, aligned buffer (a Buffer may share an unaligned slab).
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer;
}

export function decodeF64(e: Encoded): Float64Array {
  if (e.dtype !== 'f64') throw new Error(`corrupt model artifact: expected a float64 array, got ${e.dtype}`);
  return new Float64Array(bytes(e, 8));
}

export function decodeI32(e: Encoded): Int32Array {
  if (e.dtype !== 'i32') throw new Error(`corrupt model artifact: expected an int32 array, got ${e.dtype}`);
  return new Int32Array(bytes(e, 4));
}

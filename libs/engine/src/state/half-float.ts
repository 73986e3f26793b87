import { halfToFloat } from '../gguf/dequantize';

const FLOAT = new Float32Array(1);
const BITS = new Uint32Array(FLOAT.buffer);
const HALF_TO_FLOAT = Float32Array.from({ length: 65536 }, (_, h) => halfToFloat(h));
const HALF_MAX = 0x7bff;
const HALF_INFINITY = 0x7c00;

/** IEEE half bits of a float, rounded to nearest, ties to even; subnormals kept, overflow to infinity. */
export function floatToHalf(value: number): number {
  FLOAT[0] = value;
  return halfFromBits(BITS[0]);
}

function halfFromBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | HALF_INFINITY | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | HALF_INFINITY;
  if (e <= 0) {
    // Below 2^-25 not even rounding up reaches the smallest subnormal (2^-24).
    if (e < -10) return sign;
    return sign | roundedShift(mantissa | 0x800000, 14 - e);
  }
  return sign | roundNormal((e << 23) | mantissa);
}

/**
 * Half exponent and mantissa from their float-aligned bits, rounded to nearest even without branches;
 * a carry out of the mantissa bumps the exponent, as rounding across a power of two must.
 */
function roundNormal(bits: number): number {
  return (bits + 0xfff + ((bits >>> 13) & 1)) >>> 13;
}

function roundedShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return kept + (rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0);
}

/**
 * Floats to half bits for stored K/V rows. Finite values beyond the half range saturate to ±65504:
 * an infinite key would turn a whole attention row into NaN.
 */
export function encodeHalfRows(src: Float32Array, dst: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    const exponent = (b >>> 23) & 0xff;
    let h: number;
    if (exponent > 112 && exponent < 143) {
      // The half is normal, as almost every K/V value's is: halfFromBits's last line, inlined.
      h = ((b >>> 16) & 0x8000) | roundNormal(((exponent - 112) << 23) | (b & 0x7fffff));
    } else {
      h = halfFromBits(b);
    }
    if ((h & 0x7fff) === HALF_INFINITY && exponent !== 0xff) h = (h & 0x8000) | HALF_MAX;
    dst[i] = h;
  }
}

export function decodeHalfRows(src: Uint16Array, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = HALF_TO_FLOAT[src[i]];
}

import { halfToFloat } from '../gguf/dequantize';
import { decodeHalfRows, encodeHalfRows, floatToHalf } from './half-float';

const isNaNHalf = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

/** The float32 next to x (x != 0) with one more, or one less, unit in the last place of its magnitude. */
function nextMagnitude(x: number, step: 1 | -1): number {
  const bits = new Uint32Array(Float32Array.of(x).buffer);
  bits[0] += step;
  return new Float32Array(bits.buffer)[0];
}

/**
 * floatToHalf and the row encoder (which has its own fast path for normal halves and writes two halves
 * at a time when the destination is 4-byte aligned) on the same inputs; the encoder writes into an
 * aligned and a misaligned destination, which must agree.
 */
function bothEncoders(inputs: number[]): { single: number[]; rows: number[] } {
  const src = Float32Array.from(inputs);
  const aligned = new Uint16Array(inputs.length);
  const misaligned = new Uint16Array(inputs.length + 1).subarray(1);
  encodeHalfRows(src, aligned);
  encodeHalfRows(src, misaligned);
  expect(Buffer.from(misaligned.buffer, misaligned.byteOffset, misaligned.byteLength).equals(Buffer.from(aligned.buffer))).toBe(true);
  return { single: inputs.map(floatToHalf), rows: Array.from(aligned) };
}

describe('floatToHalf', () => {
  it('maps every half value back to itself, signed zeros, subnormals and infinities included', () => {
    const halves = Array.from({ length: 65536 }, (_, h) => h).filter((h) => !isNaNHalf(h));
    expect(bothEncoders(halves.map(halfToFloat))).toEqual({ single: halves, rows: halves });
  });

  it('rounds to the nearest half, ties to the even one, across the whole finite range', () => {
    const inputs: number[] = [];
    const expected: number[] = [];
    for (const sign of [0, 0x8000]) {
      for (let h = 0; h < 0x7bff; h++) {
        const below = halfToFloat(sign | h);
        const above = halfToFloat(sign | (h + 1));
        // Halves have 11 significant bits, so the midpoint is exact in float32.
        const mid = (below + above) / 2;
        inputs.push(mid, nextMagnitude(mid, 1), nextMagnitude(mid, -1));
        expected.push(sign | (h % 2 === 0 ? h : h + 1), sign | (h + 1), sign | h);
      }
    }
    const { single, rows } = bothEncoders(inputs);
    const wrong = (got: number[]) => inputs.flatMap((x, i) => (got[i] === expected[i] ? [] : [`${x} -> ${got[i].toString(16)}, expected ${expected[i].toString(16)}`]));
    expect({ single: wrong(single), rows: wrong(rows) }).toEqual({ single: [], rows: [] });
  });

  it('overflows to infinity and underflows to zero where IEEE rounding says so', () => {
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(-1e9)).toBe(0xfc00);
    expect(floatToHalf(2 ** -25)).toBe(0);
    expect(floatToHalf(nextMagnitude(2 ** -25, 1))).toBe(1);
    expect(floatToHalf(-(2 ** -30))).toBe(0x8000);
    expect(isNaNHalf(floatToHalf(NaN))).toBe(true);
  });
});

describe('half rows', () => {
  it('saturate finite values beyond the half range instead of making them infinite', () => {
    // 65520 is the first value IEEE rounding takes to infinity; 65519 still rounds down to 65504.
    const src = Float32Array.of(1e6, -1e6, 70000, 65520, -65535, 65519, Infinity, -Infinity, NaN, 1.5, -0);
    const half = new Uint16Array(src.length);
    encodeHalfRows(src, half);
    const back = new Float32Array(src.length);
    decodeHalfRows(half, back);
    expect(Array.from(back)).toEqual([65504, -65504, 65504, 65504, -65504, 65504, Infinity, -Infinity, NaN, 1.5, -0]);
  });

  it('decode every half to the float it stands for, from aligned and misaligned sources', () => {
    const halves = Uint16Array.from({ length: 65536 }, (_, h) => h);
    const misaligned = new Uint16Array(halves.length + 1).subarray(1);
    misaligned.set(halves);
    const expected = Float32Array.from(halves, halfToFloat);
    for (const src of [halves, misaligned]) {
      const back = new Float32Array(src.length);
      decodeHalfRows(src, back);
      expect(Buffer.from(back.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });

  it('convert rows of odd length, the last value included', () => {
    const src = Float32Array.of(0.5, -2, 3.25);
    const half = new Uint16Array(3);
    encodeHalfRows(src, half);
    const back = new Float32Array(3);
    decodeHalfRows(half, back);
    expect(Array.from(back)).toEqual([0.5, -2, 3.25]);
  });

  it('encode a row view at an offset of its buffer, not the buffer start', () => {
    const buffer = Float32Array.of(7, 7, 0.5, -2, 7);
    const half = new Uint16Array(2);
    encodeHalfRows(buffer.subarray(2, 4), half);
    expect(Array.from(half, halfToFloat)).toEqual([0.5, -2]);
  });
});

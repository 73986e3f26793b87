import { encodeTensor, floatToHalf } from '../../../../tests/support/ggml-quantize';
import { SeededRandom } from '../../../../tests/support/seeded-random';
import { canDequantize, dequantize, halfToFloat } from './dequantize';
import { GgmlType } from './ggml-types';

/**
 * Hand-built blocks are packed here from codes and scales following ggml's reference quantize_row_*
 * functions (the packing side of each format), so every decoder is checked against an independent
 * reading of the layout; the writer's quantizers are checked by round trip.
 */

const halfBytes = (...values: number[]) => values.flatMap((v) => [floatToHalf(v) & 0xff, floatToHalf(v) >> 8]);
const u32Bytes = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** 32 distinct codes in a scrambled order, so a decoder that swaps elements cannot pass. */
const codes = (count: number, modulus: number) => Array.from({ length: count }, (_, i) => (i * 7 + 3 + (i >> 5)) % modulus);

describe('halfToFloat / floatToHalf', () => {
  it('decodes known half values, including subnormals, infinities and NaN', () => {
    expect([0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x03ff, 0x8000].map(halfToFloat)).toEqual([1, -2, 0.333251953125, 65504, 2 ** -24, 1023 * 2 ** -24, -0]);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it("the writer's encoder inverts it for every non-NaN half", () => {
    for (let h = 0; h < 0x10000; h++) {
      if (Number.isNaN(halfToFloat(h))) continue;
      if (floatToHalf(halfToFloat(h)) !== h) throw new Error(`half 0x${h.toString(16)} does not round-trip`);
    }
  });

  it('the encoder rounds to nearest even, underflows to zero and overflows to infinity', () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(2 ** -25)).toBe(0);
    expect(floatToHalf(1.5 * 2 ** -25)).toBe(0x0001);
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(-1e6)).toBe(0xfc00);
  });
});

describe('dequantize: known blocks', () => {
  it('F32, F16 and BF16 elements', () => {
    expect(dequantize(GgmlType.F32, new Uint8Array(new Float32Array([1.5, -2.25, 3e-39]).buffer), 3)).toEqual(new Float32Array([1.5, -2.25, 3e-39]));
    expect(dequantize(GgmlType.F16, Uint8Array.from(halfBytes(1, -2, 0.333251953125, 2 ** -24)), 4)).toEqual(new Float32Array([1, -2, 0.333251953125, 2 ** -24]));
    const bf16 = Uint8Array.from([0x80, 0x3f, 0x40, 0xc0, 0x49, 0x40, 0x01, 0x00, 0x80, 0xff]);
    expect(dequantize(GgmlType.BF16, bf16, 5)).toEqual(new Float32Array([1, -3, 3.140625, 2 ** -133, -Infinity]));
  });

  it('Q4_0: element j in the low nibble and j+16 in the high nibble of byte j, value (q - 8) * d', () => {
    const q = codes(32, 16);
    const qs = Array.from({ length: 16 }, (_, j) => q[j] | (q[j + 16] << 4));
    const out = dequantize(GgmlType.Q4_0, Uint8Array.from([...halfBytes(0.5), ...qs]), 32);
    expect(out).toEqual(Float32Array.from(q, (c) => (c - 8) * 0.5));
  });

  it('Q4_1: value q * d + m', () => {
    const q = codes(32, 16);
    const qs = Array.from({ length: 16 }, (_, j) => q[j] | (q[j + 16] << 4));
    const out = dequantize(GgmlType.Q4_1, Uint8Array.from([...halfBytes(0.25, -1), ...qs]), 32);
    expect(out).toEqual(Float32Array.from(q, (c) => c * 0.25 - 1));
  });

  it('Q8_0: signed bytes times d', () => {
    const q = codes(32, 256).map((c) => c - 128);
    const out = dequantize(GgmlType.Q8_0, Uint8Array.from([...halfBytes(0.125), ...q.map((c) => c & 0xff)]), 32);
    expect(out).toEqual(Float32Array.from(q, (c) => c * 0.125));
  });

  /** ggml quantize_row_q5_0/1_ref: four low bits as in Q4, the fifth bit of element j in bit j of qh. */
  function q5Block(header: number[], q: number[]): Uint8Array {
    let qh = 0;
    const qs: number[] = [];
    for (let j = 0; j < 16; j++) {
      qs.push((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4));
      qh |= ((q[j] & 0x10) >> 4) << j;
      qh |= ((q[j + 16] & 0x10) >> 4) << (j + 16);
    }
    return Uint8Array.from([...header, ...u32Bytes(qh >>> 0), ...qs]);
  }

  it('Q5_0: 5-bit codes, value (q - 16) * d', () => {
    const q = codes(32, 32);
    expect(dequantize(GgmlType.Q5_0, q5Block(halfBytes(0.5), q), 32)).toEqual(Float32Array.from(q, (c) => (c - 16) * 0.5));
  });

  it('Q5_1: 5-bit codes, value q * d + m', () => {
    const q = codes(32, 32);
    expect(dequantize(GgmlType.Q5_1, q5Block(halfBytes(0.25, -3), q), 32)).toEqual(Float32Array.from(q, (c) => c * 0.25 - 3));
  });

  it('Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins packed in 12 bytes', () => {
    const scales = [1, 17, 33, 63, 5, 40, 21, 60];
    const mins = [2, 50, 0, 63, 33, 7, 48, 16];
    // ggml quantize_row_q4_K_ref: sub-blocks 0-3 in the low 6 bits, 4-7 split over nibbles and top bits.
    const packed = new Array<number>(12).fill(0);
    for (let j = 0; j < 8; j++) {
      if (j < 4) {
        packed[j] = scales[j];
        packed[j + 4] = mins[j];
      } else {
        packed[j + 4] = (scales[j] & 0x0f) | ((mins[j] & 0x0f) << 4);
        packed[j - 4] |= (scales[j] >> 4) << 6;
        packed[j] |= (mins[j] >> 4) << 6;
      }
    }
    const q = codes(256, 16);
    const qs: number[] = [];
    for (let j = 0; j < 256; j += 64) for (let l = 0; l < 32; l++) qs.push(q[j + l] | (q[j + l + 32] << 4));
    const out = dequantize(GgmlType.Q4_K, Uint8Array.from([...halfBytes(0.5, 0.25), ...packed, ...qs]), 256);
    expect(out).toEqual(Float32Array.from(q, (c, i) => 0.5 * scales[i >> 5] * c - 0.25 * mins[i >> 5]));
  });

  it('Q6_K: 16 sub-blocks of 16 with int8 scales, 6-bit codes split over ql and qh', () => {
    const scales = [-3, 7, 12, -20, 1, 127, -128, 5, 9, -1, 30, -64, 2, 3, -5, 100];
    const q = codes(256, 64);
    // ggml quantize_row_q6_K_ref, per half of 128: low nibbles in ql, top two bits in qh.
    const ql = new Array<number>(128).fill(0);
    const qh = new Array<number>(64).fill(0);
    for (let half = 0; half < 2; half++) {
      const j = half * 128;
      for (let l = 0; l < 32; l++) {
        ql[half * 64 + l] = (q[j + l] & 0x0f) | ((q[j + l + 64] & 0x0f) << 4);
        ql[half * 64 + l + 32] = (q[j + l + 32] & 0x0f) | ((q[j + l + 96] & 0x0f) << 4);
        qh[half * 32 + l] = (q[j + l] >> 4) | ((q[j + l + 32] >> 4) << 2) | ((q[j + l + 64] >> 4) << 4) | ((q[j + l + 96] >> 4) << 6);
      }
    }
    const block = Uint8Array.from([...ql, ...qh, ...scales.map((s) => s & 0xff), ...halfBytes(0.5)]);
    expect(dequantize(GgmlType.Q6_K, block, 256)).toEqual(Float32Array.from(q, (c, i) => 0.5 * scales[i >> 4] * (c - 32)));
  });

  it('decodes a block range into a given output array', () => {
    const q = codes(64, 256).map((c) => c - 128);
    const blocks = Uint8Array.from([...halfBytes(1), ...q.slice(0, 32).map((c) => c & 0xff), ...halfBytes(2), ...q.slice(32).map((c) => c & 0xff)]);
    const out = new Float32Array(40).fill(7);
    dequantize(GgmlType.Q8_0, blocks, 32, 32, out.subarray(4, 36));
    expect(out.subarray(4, 36)).toEqual(Float32Array.from(q.slice(32), (c) => 2 * c));
    expect(out[3]).toBe(7);
    expect(out[36]).toBe(7);
  });

  it('refuses partial blocks and types it cannot decode, naming the type', () => {
    expect(() => dequantize(GgmlType.Q4_0, new Uint8Array(36), 48)).toThrow('dequantize: 48 elements at 0 are not whole Q4_0 blocks of 32');
    expect(() => dequantize(GgmlType.Q8_0, new Uint8Array(68), 32, 16)).toThrow(/32 elements at 16 are not whole Q8_0 blocks/);
    expect(canDequantize(GgmlType.Q2_K)).toBe(false);
    expect(() => dequantize(GgmlType.Q2_K, new Uint8Array(84), 256)).toThrow('dequantization of ggml type Q2_K is not supported');
    expect(() => dequantize(99, new Uint8Array(4), 1)).toThrow('dequantization of ggml type type#99 is not supported');
  });
});

describe("dequantize: round trip through the writer's ggml quantizers", () => {
  const BLOCKS = 64;
  /** Random blocks of varied scale, plus the degenerate ones: all zero and constant. */
  function testValues(): Float32Array {
    const rng = new SeededRandom(42);
    const values = new Float32Array(BLOCKS * 32);
    for (let b = 2; b < BLOCKS; b++) {
      const scale = 10 ** (rng.uniform() * 4 - 2);
      for (let j = 0; j < 32; j++) values[b * 32 + j] = rng.normal(0, scale);
    }
    values.fill(0.75, 32, 64);
    return values;
  }
  const block = (a: Float32Array, b: number) => a.subarray(b * 32, (b + 1) * 32);
  const amax = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

  // Codes are chosen with the fp32 scale but decoded with its fp16 rounding, which costs up to
  // |code| * 2^-11 * scale on top of half a step. Q4_0's codes run -8..7 with the block's extreme at
  // -8, so values near the opposite extreme clamp to 7 and may be off by a whole step.
  it.each([
    { name: 'Q4_0', type: GgmlType.Q4_0, bound: (x: Float32Array) => (amax(x) / 8) * (1 + 8 * 2 ** -11) },
    { name: 'Q4_1', type: GgmlType.Q4_1, bound: (x: Float32Array) => ((Math.max(...x) - Math.min(...x)) / 15) * (0.5 + 16 * 2 ** -11) + Math.abs(Math.min(...x)) * 2 ** -11 },
    { name: 'Q8_0', type: GgmlType.Q8_0, bound: (x: Float32Array) => (amax(x) / 127) * (0.5 + 128 * 2 ** -11) },
  ] as const)('$name: every value within its quantization step (plus fp16 scale rounding)', ({ type, bound }) => {
    const values = testValues();
    const decoded = dequantize(type, encodeTensor(type, values), values.length);
    for (let b = 0; b < BLOCKS; b++) {
      const x = block(values, b);
      const y = block(decoded, b);
      const limit = bound(x) * (1 + 1e-6);
      const worst = x.reduce((m, v, j) => Math.max(m, Math.abs(v - y[j])), 0);
      if (worst > limit) throw new Error(`block ${b}: error ${worst} exceeds ${limit}`);
    }
    // A zero block has scale (-)0: it must decode to zeros, not NaN.
    expect(block(decoded, 0).every((v) => v === 0)).toBe(true);
  });

  it.each([
    { name: 'Q4_0', type: GgmlType.Q4_0 },
    { name: 'Q4_1', type: GgmlType.Q4_1 },
    { name: 'Q8_0', type: GgmlType.Q8_0 },
  ] as const)('$name: requantizing the decoded values gives the same bytes', ({ type }) => {
    const bytes = encodeTensor(type, testValues());
    const again = encodeTensor(type, dequantize(type, bytes, BLOCKS * 32));
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });
});

import { encodeTensor } from '../../../../tests/support/ggml-quantize';
import { SeededRandom } from '../../../../tests/support/seeded-random';
import { dequantize } from '../gguf/dequantize';
import { GgmlType } from '../gguf/ggml-types';
import { linear, MatMulMode } from '../graph/layers/linear';
import { OnnxGraph } from '../graph/onnx-graph';
import { createSession, floatData, floatTensor } from '../runtime/layer-session';
import { linearWeight, NBitsWeight, stackedWeight } from './linear-weights';

const K = 96;
const N = 7;

/** A [N, K] weight in ggml bytes, with one Q4_1 block made constant so its scale is 0. */
function weightBytes(type: GgmlType.Q4_0 | GgmlType.Q4_1 | GgmlType.Q8_0 | GgmlType.F16): Uint8Array {
  const values = new SeededRandom(3).normals(K * N, 0, 0.1);
  values.fill(0.3, 2 * K + 32, 2 * K + 64);
  return encodeTensor(type, values);
}

/** Read the MatMulNBits form back, as the contrib op defines it: value = (code - zero point) * scale (+ our block min). */
function decodeNBits(w: NBitsWeight): Float32Array {
  const blocks = w.k / w.blockSize;
  const out = new Float32Array(w.n * w.k);
  for (let b = 0; b < w.n * blocks; b++) {
    for (let i = 0; i < w.blockSize; i++) {
      // 4-bit codes: element 2i in the low nibble, 2i+1 in the high nibble of byte i.
      const code = w.bits === 4 ? (w.packed[b * 16 + (i >> 1)] >> ((i & 1) * 4)) & 0x0f : w.packed[b * 32 + i];
      const value = (code - w.codeZero) * w.scales[b];
      out[b * w.blockSize + i] = w.blockMins ? value + w.blockMins[b] : value;
    }
  }
  return out;
}

const QUANTIZED = [
  { name: 'Q4_0', type: GgmlType.Q4_0, bits: 4 },
  { name: 'Q4_1', type: GgmlType.Q4_1, bits: 4 },
  { name: 'Q8_0', type: GgmlType.Q8_0, bits: 8 },
] as const;

describe('linearWeight repacking into MatMulNBits form', () => {
  it.each(QUANTIZED)('$name decodes back to exactly the dequantized GGUF weight', ({ type, bits }) => {
    const bytes = weightBytes(type);
    const w = linearWeight(type, bytes, K, N);
    if (w.kind !== 'nbits') throw new Error(`expected an nbits weight, got ${w.kind}`);
    expect({ bits: w.bits, k: w.k, n: w.n, blockSize: w.blockSize }).toEqual({ bits, k: K, n: N, blockSize: 32 });
    expect(w.packed).toHaveLength((N * K * bits) / 8);
    expect(w.scales).toHaveLength((N * K) / 32);
    expect(decodeNBits(w)).toEqual(dequantize(type, bytes, K * N));
  });

  it('other types become dense fp32 weights', () => {
    const bytes = weightBytes(GgmlType.F16);
    expect(linearWeight(GgmlType.F16, bytes, K, N)).toEqual({ kind: 'dense', k: K, n: N, weight: dequantize(GgmlType.F16, bytes, K * N) });
  });
});

describe('stackedWeight', () => {
  it.each(QUANTIZED)('$name: stacked weights decode to the parts one after the other', ({ type }) => {
    const a = linearWeight(type, weightBytes(type), K, N);
    const b = linearWeight(type, encodeTensor(type, new SeededRandom(4).normals(K * 2, 0, 0.1)), K, 2);
    const stacked = stackedWeight([a, b])!;
    expect(stacked.n).toBe(N + 2);
    const parts = [a, b].map((w) => decodeNBits(w as NBitsWeight));
    expect(decodeNBits(stacked)).toEqual(Float32Array.from([...parts[0], ...parts[1]]));
  });

  it('refuses weights of different forms or input widths', () => {
    const q41 = linearWeight(GgmlType.Q4_1, weightBytes(GgmlType.Q4_1), K, N);
    expect(stackedWeight([q41, linearWeight(GgmlType.Q4_0, weightBytes(GgmlType.Q4_0), K, N)])).toBeUndefined();
    expect(stackedWeight([q41, linearWeight(GgmlType.F16, weightBytes(GgmlType.F16), K, N)])).toBeUndefined();
    expect(stackedWeight([q41, linearWeight(GgmlType.Q4_1, encodeTensor(GgmlType.Q4_1, new SeededRandom(4).normals(64 * 2, 0, 0.1)), 64, 2)])).toBeUndefined();
  });
});

describe('linear() on onnxruntime with the repacked weights', () => {
  const ROWS = 5;
  const x = new SeededRandom(9).normals(ROWS * K, 0, 1);

  async function run(type: GgmlType, mode: MatMulMode): Promise<Float32Array> {
    const g = new OnnxGraph('linear');
    const input = g.input('x', 'float32', [1, 'n', K]);
    g.output(linear(g, input, linearWeight(type, weightBytes(type as GgmlType.Q4_0), K, N), 'w', mode), 'y', 'float32', [1, 'n', N]);
    const session = await createSession(g.toBytes(), { threads: 1 });
    try {
      return floatData((await session.run({ x: floatTensor(x, [1, ROWS, K]) })).y, 'y');
    } finally {
      await session.release();
    }
  }

  /** RMS error against x W^T in float64, relative to the RMS of the exact result. */
  function relativeError(type: GgmlType, y: Float32Array): number {
    const w = dequantize(type, weightBytes(type as GgmlType.Q4_0), K * N);
    let error = 0;
    let scale = 0;
    for (let r = 0; r < ROWS; r++) {
      for (let n = 0; n < N; n++) {
        let exact = 0;
        for (let k = 0; k < K; k++) exact += x[r * K + k] * w[n * K + k];
        error += (y[r * N + n] - exact) ** 2;
        scale += exact ** 2;
      }
    }
    return Math.sqrt(error / scale);
  }

  // The float variant exists for 4-bit weights only (8-bit ones keep the int8 path in every mode).
  it.each(QUANTIZED.filter((q) => q.bits === 4))('$name, float activations: equals x W^T to fp32 rounding', async ({ type }) => {
    expect(relativeError(type, await run(type, 'float'))).toBeLessThan(1e-5);
  });

  // Activations quantized to int8 per block of 32 (scale amax/127) carry ~0.6% relative error into
  // each product (measured 0.55-0.7%). Q4_1's codes are centred on 8 like Q4_0's, its block offset
  // kept outside the op, so the same bound holds for it.
  it.each([
    { name: 'Q4_0', type: GgmlType.Q4_0, bound: 0.015 },
    { name: 'Q4_1', type: GgmlType.Q4_1, bound: 0.015 },
    { name: 'Q8_0', type: GgmlType.Q8_0, bound: 0.015 },
  ])('$name, int8 activations: within $bound of x W^T', async ({ type, bound }) => {
    const error = relativeError(type, await run(type, 'int8'));
    expect(error).toBeGreaterThan(1e-5);
    expect(error).toBeLessThan(bound);
  });

  it('a dense weight runs through Gemm exactly', async () => {
    expect(relativeError(GgmlType.F16, await run(GgmlType.F16, 'int8'))).toBeLessThan(1e-6);
  });
});

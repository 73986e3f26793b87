import { LinearWeight, NBitsWeight, stackedWeight } from '../../model/linear-weights';
import { int, MS_DOMAIN, OnnxGraph } from '../onnx-graph';

/**
 * How a quantized matmul computes. `int8`: activations quantized to int8 per block (MatMulNBits
 * accuracy level 4), the fastest for a few rows. `float`: fp32 activations against weights
 * dequantized per call (accuracy level 0), faster from a few hundred rows on and closer to exact.
 */
export type MatMulMode = 'int8' | 'float';

/** y = x W^T. Quantized weights stay quantized (MatMulNBits); dense weights use Gemm with a transposed B. */
export function linear(g: OnnxGraph, x: string, w: LinearWeight, name: string, mode: MatMulMode): string {
  if (w.kind === 'nbits') return mode === 'float' && w.bits === 4 ? floatNbitsLinear(g, x, w, name) : int8NbitsLinear(g, x, w, name);
  const weight = g.initializer(`${name}.weight`, 'float32', [w.n, w.k], w.weight);
  // Gemm is 2-D: flatten the token axis around it.
  const flat = g.op('Reshape', [x, g.constInt64('flat', [-1, w.k])]);
  const y = g.op('Gemm', [flat, weight], { transB: int(1) });
  return g.op('Reshape', [y, g.constInt64('unflat', [1, -1, w.n])]);
}

/** x W_i^T for each weight, as one matmul split in parts when the weights can be stacked. */
export function linears(g: OnnxGraph, x: string, weights: readonly LinearWeight[], name: string, mode: MatMulMode): string[] {
  const stacked = stackedWeight(weights);
  if (!stacked) return weights.map((w, i) => linear(g, x, w, `${name}.${i}`, mode));
  const y = linear(g, x, stacked, name, mode);
  return g.opMulti('Split', [y, g.constInt64(`${name}.parts`, weights.map((w) => w.n))], { axis: int(-1) }, { count: weights.length });
}

/** MatMulNBits' implicit zero point is the middle code (8 or 128); others go in as packed uint8. */
function int8NbitsLinear(g: OnnxGraph, x: string, w: NBitsWeight, name: string): string {
  const blocks = w.k / w.blockSize;
  const b = g.initializer(`${name}.B`, 'uint8', [w.n, blocks, (w.blockSize * w.bits) / 8], w.packed);
  const scales = g.initializer(`${name}.scales`, 'float32', [w.n, blocks], w.scales);
  const inputs = [x, b, scales];
  if (w.codeZero !== 2 ** (w.bits - 1)) {
    const perRow = w.bits === 4 ? Math.ceil(blocks / 2) : blocks;
    const code = w.bits === 4 ? w.codeZero | (w.codeZero << 4) : w.codeZero;
    inputs.push(g.initializer(`${name}.zero_points`, 'uint8', [w.n * perRow], new Uint8Array(w.n * perRow).fill(code)));
  }
  const y = g.op('MatMulNBits', inputs, {
    K: int(w.k), N: int(w.n), bits: int(w.bits), block_size: int(w.blockSize), accuracy_level: int(4),
  }, { domain: MS_DOMAIN });
  if (!w.blockMins) return y;
  // sum_k x_k (q_k d + m) = MatMulNBits(x) + sum_blocks (sum of x over the block) * m_block
  const blocked = g.op('Reshape', [x, g.constInt64('blocks', [1, -1, blocks, w.blockSize])]);
  const sums = g.op('ReduceSum', [blocked, g.constInt64('last_axis', [-1])], { keepdims: int(0) });
  const mins = g.initializer(`${name}.block_mins`, 'float32', [blocks, w.n], transpose(w.blockMins, w.n, blocks));
  return g.op('Add', [y, g.op('MatMul', [sums, mins])]);
}

/**
 * Fold each block's offset into a float zero point: (q - codeZero) * s + min = (q - (codeZero - min/s)) * s.
 * A zero scale means every value of the block is its min: encode as codes 0, scale 1, zero point -min.
 */
function floatNbitsLinear(g: OnnxGraph, x: string, w: NBitsWeight, name: string): string {
  const blocks = w.k / w.blockSize;
  const blobSize = w.blockSize / 2;
  const packed = w.packed.slice();
  const scales = w.scales.slice();
  const zeroPoints = new Float32Array(scales.length);
  for (let b = 0; b < scales.length; b++) {
    const min = w.blockMins?.[b] ?? 0;
    if (scales[b] === 0) {
      scales[b] = 1;
      zeroPoints[b] = -min;
      packed.fill(0, b * blobSize, (b + 1) * blobSize);
    } else {
      zeroPoints[b] = w.codeZero - min / scales[b];
    }
  }
  return g.op('MatMulNBits', [
    x,
    g.initializer(`${name}.B`, 'uint8', [w.n, blocks, blobSize], packed),
    g.initializer(`${name}.scales`, 'float32', [w.n, blocks], scales),
    g.initializer(`${name}.zero_points`, 'float32', [w.n, blocks], zeroPoints),
  ], { K: int(w.k), N: int(w.n), bits: int(4), block_size: int(w.blockSize), accuracy_level: int(0) }, { domain: MS_DOMAIN });
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

import { LinearWeight, NBitsWeight } from '../../model/linear-weights';
import { int, MS_DOMAIN, OnnxGraph } from '../onnx-graph';

/**
 * y = x W^T. Quantized weights stay quantized (MatMulNBits, int8 activations at accuracy level 4,
 * like llama.cpp's own quantized dot products); dense weights use Gemm with a transposed B.
 */
export function linear(g: OnnxGraph, x: string, w: LinearWeight, name: string): string {
  if (w.kind === 'nbits') return nbitsLinear(g, x, w, name);
  const weight = g.initializer(`${name}.weight`, 'float32', [w.n, w.k], w.weight);
  // Gemm is 2-D: flatten the token axis around it.
  const flat = g.op('Reshape', [x, g.constInt64('flat', [-1, w.k])]);
  const y = g.op('Gemm', [flat, weight], { transB: int(1) });
  return g.op('Reshape', [y, g.constInt64('unflat', [1, -1, w.n])]);
}

/** MatMulNBits' implicit zero point is the middle code (8 or 128); others go in as packed uint8. */
function nbitsLinear(g: OnnxGraph, x: string, w: NBitsWeight, name: string): string {
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

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

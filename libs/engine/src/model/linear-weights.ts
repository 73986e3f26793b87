import { dequantize, f16 } from '../gguf/dequantize';
import { GgmlType } from '../gguf/ggml-types';

/**
 * A linear layer's weight in the form the graph consumes. Block-quantized ggml types whose blocks are
 * 32 wide map onto com.microsoft MatMulNBits without loss; anything else is dequantized to fp32.
 * Shapes follow the GGUF convention: N output rows of K inputs each.
 */
export type LinearWeight = NBitsWeight | DenseWeight;

export interface NBitsWeight {
  readonly kind: 'nbits';
  readonly bits: 4 | 8;
  readonly k: number;
  readonly n: number;
  readonly blockSize: 32;
  /** [N, K/32, 32*bits/8], codes packed low nibble first. */
  readonly packed: Uint8Array;
  /** [N, K/32] */
  readonly scales: Float32Array;
  /** The code that means zero, the same for every block: value = (code - codeZero) * scale (+ blockMin). */
  readonly codeZero: number;
  /**
   * [N, K/32] per-block offsets (Q4_1's m). Kept out of MatMulNBits because its float zero points fall
   * off the fast int8 path (about 30x slower at one row, measured); the graph adds blocksum(x) . mins.
   */
  readonly blockMins?: Float32Array;
}

export interface DenseWeight {
  readonly kind: 'dense';
  readonly k: number;
  readonly n: number;
  /** [N, K] row-major. */
  readonly weight: Float32Array;
}

const BLOCK = 32;

export function linearWeight(type: number, bytes: Uint8Array, k: number, n: number): LinearWeight {
  switch (type) {
    case GgmlType.Q4_0:
      return repackQ4(bytes, k, n, 18, 8, false);
    case GgmlType.Q4_1:
      return repackQ4(bytes, k, n, 20, 8, true);
    case GgmlType.Q8_0:
      return repackQ8(bytes, k, n);
    default:
      return { kind: 'dense', k, n, weight: dequantize(type, bytes, k * n) };
  }
}

/** ggml stores element j in the low nibble and j+16 in the high nibble of byte j; MatMulNBits wants 2i / 2i+1. */
function repackQ4(bytes: Uint8Array, k: number, n: number, typeSize: number, codeZero: number, hasMin: boolean): NBitsWeight {
  const blocks = (k / BLOCK) * n;
  const headerSize = typeSize - 16;
  const packed = new Uint8Array(blocks * 16);
  const scales = new Float32Array(blocks);
  const blockMins = hasMin ? new Float32Array(blocks) : undefined;
  const nibble = new Uint8Array(BLOCK);
  for (let b = 0; b < blocks; b++) {
    const at = b * typeSize;
    scales[b] = f16(bytes, at);
    // Centering the codes on 8 and folding 8*d into the offset keeps int8-quantized activations
    // multiplying small signed codes, which halves their rounding error against codes 0..15.
    if (blockMins) blockMins[b] = f16(bytes, at + 2) + codeZero * scales[b];
    const qs = at + headerSize;
    for (let j = 0; j < 16; j++) {
      nibble[j] = bytes[qs + j] & 0x0f;
      nibble[j + 16] = bytes[qs + j] >> 4;
    }
    for (let i = 0; i < 16; i++) packed[b * 16 + i] = nibble[2 * i] | (nibble[2 * i + 1] << 4);
  }
  return { kind: 'nbits', bits: 4, k, n, blockSize: BLOCK, packed, scales, codeZero, blockMins };
}

/** Q8_0 codes are int8; shifting them to uint8 makes the zero point 128. */
function repackQ8(bytes: Uint8Array, k: number, n: number): NBitsWeight {
  const blocks = (k / BLOCK) * n;
  const packed = new Uint8Array(blocks * BLOCK);
  const scales = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const at = b * 34;
    scales[b] = f16(bytes, at);
    for (let j = 0; j < BLOCK; j++) packed[b * BLOCK + j] = (bytes[at + 2 + j] + 128) & 0xff;
  }
  return { kind: 'nbits', bits: 8, k, n, blockSize: BLOCK, packed, scales, codeZero: 128 };
}

/**
 * Several weights over the same input as one, their output rows stacked in order, when they share a
 * quantized form (same bits, zero code and offsets); otherwise undefined. One wide matmul instead of
 * several narrow ones quantizes the input once and dispatches once.
 */
export function stackedWeight(weights: readonly LinearWeight[]): NBitsWeight | undefined {
  const [first] = weights;
  if (first?.kind !== 'nbits') return undefined;
  const parts = weights.filter((w): w is NBitsWeight => w.kind === 'nbits' && w.bits === first.bits && w.k === first.k && w.codeZero === first.codeZero && !w.blockMins === !first.blockMins);
  if (parts.length !== weights.length) return undefined;
  const concat = <T extends Uint8Array | Float32Array>(arrays: T[], make: (n: number) => T): T => {
    const out = make(arrays.reduce((sum, a) => sum + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  return {
    ...first,
    n: parts.reduce((sum, w) => sum + w.n, 0),
    packed: concat(parts.map((w) => w.packed), (n) => new Uint8Array(n)),
    scales: concat(parts.map((w) => w.scales), (n) => new Float32Array(n)),
    blockMins: first.blockMins && concat(parts.map((w) => w.blockMins!), (n) => new Float32Array(n)),
  };
}

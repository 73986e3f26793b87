import { int, MS_DOMAIN, OnnxGraph } from '../onnx-graph';

/** cos/sin tables [maxPosition, headDim/2] for RoPE with the given base. */
export function rotaryTables(maxPosition: number, headDim: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(maxPosition * half);
  const sin = new Float32Array(maxPosition * half);
  for (let i = 0; i < half; i++) {
    const invFreq = 1 / theta ** ((2 * i) / headDim);
    for (let p = 0; p < maxPosition; p++) {
      const angle = p * invFreq;
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * Rotate [1, n, heads*headDim] at explicit position ids. GGUF Llama weights are permuted for
 * adjacent-pair rotation (llama.cpp's "normal" RoPE), hence interleaved=1.
 */
export function rotary(g: OnnxGraph, x: string, positions: string, cos: string, sin: string, heads: number): string {
  return g.op('RotaryEmbedding', [x, positions, cos, sin], { interleaved: int(1), num_heads: int(heads) }, { domain: MS_DOMAIN });
}

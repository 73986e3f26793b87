import { float, int, OnnxGraph } from '../onnx-graph';

/** RMSNorm with a learned gain, as ORT's fused SimplifiedLayerNormalization. */
export function rmsNorm(g: OnnxGraph, x: string, gain: Float32Array, epsilon: number, name: string): string {
  const w = g.initializer(`${name}.weight`, 'float32', [gain.length], gain);
  return g.op('SimplifiedLayerNormalization', [x, w], { axis: int(-1), epsilon: float(epsilon) });
}

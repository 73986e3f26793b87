import { LlamaConfig } from '../model/llama-config';
import { LinearWeight } from '../model/linear-weights';
import { linear, MatMulMode } from './layers/linear';
import { rmsNorm } from './layers/rms-norm';
import { OnnxGraph } from './onnx-graph';

export const HEAD_IO = { hidden: 'hidden', logits: 'logits' } as const;

/** Final RMSNorm and the output projection to vocabulary logits. */
export function buildOutputHeadGraph(c: LlamaConfig, norm: Float32Array, output: LinearWeight, mode: MatMulMode): Uint8Array {
  const g = new OnnxGraph('output_head');
  const x = g.input(HEAD_IO.hidden, 'float32', [1, 'n', c.hiddenSize]);
  const logits = linear(g, rmsNorm(g, x, norm, c.rmsEpsilon, 'output_norm'), output, 'output', mode);
  g.output(logits, HEAD_IO.logits, 'float32', [1, 'n', c.vocabSize]);
  return g.toBytes();
}

import { LlamaConfig } from '../model/llama-config';
import { LayerWeights } from '../model/llama-weights';
import { AttentionValues, groupedAttention, prefixBandedAttention } from './layers/attention';
import { linear, linears, MatMulMode } from './layers/linear';
import { swiGluMlp } from './layers/mlp';
import { rmsNorm } from './layers/rms-norm';
import { rotary } from './layers/rotary';
import { OnnxGraph } from './onnx-graph';

/**
 * Names of one decoder layer's inputs and outputs. The layer computes any subset of tokens (n of
 * them, at their original positions) against any set of cached keys (m rows), so LazyLLM can change
 * which tokens take part between layers.
 */
export const LAYER_IO = {
  hidden: 'hidden',
  positions: 'position_ids',
  pastKey: 'past_key',
  pastValue: 'past_value',
  bias: 'attention_bias',
  hiddenOut: 'hidden_out',
  newKey: 'new_key',
  newValue: 'new_value',
  importance: 'importance',
} as const;

/**
 * Both compute the same attention. 'grouped': any mask over cached and new rows. 'prefix-banded': only
 * for calls without cached rows whose tokens come in position order, where causal attention can skip
 * the masked upper triangle.
 */
export type AttentionKind = { readonly kind: 'grouped' } | { readonly kind: 'prefix-banded'; readonly bands: number };

export function buildDecoderLayerGraph(
  c: LlamaConfig,
  w: LayerWeights,
  rope: { cos: Float32Array; sin: Float32Array },
  layer: number,
  mode: MatMulMode,
  attentionKind: AttentionKind = { kind: 'grouped' },
): Uint8Array {
  const g = new OnnxGraph(`decoder_layer_${layer}_${mode}_${attentionKind.kind}`);
  const e = c.hiddenSize;
  const kvWidth = c.kvHeadCount * c.headDim;
  const x = g.input(LAYER_IO.hidden, 'float32', [1, 'n', e]);
  const positions = g.input(LAYER_IO.positions, 'int64', [1, 'n']);
  const pastKey = g.input(LAYER_IO.pastKey, 'float32', [1, 'm', kvWidth]);
  const pastValue = g.input(LAYER_IO.pastValue, 'float32', [1, 'm', kvWidth]);
  const bias = g.input(LAYER_IO.bias, 'float32', [1, 1, 'n', 't']);
  const half = c.headDim / 2;
  const cos = g.initializer('rope.cos', 'float32', [rope.cos.length / half, half], rope.cos);
  const sin = g.initializer('rope.sin', 'float32', [rope.sin.length / half, half], rope.sin);

  const h = rmsNorm(g, x, w.attnNorm, c.rmsEpsilon, 'attn_norm');
  const [query, key, v] = linears(g, h, [w.q, w.k, w.v], 'attn_qkv', mode);
  const q = rotary(g, query, positions, cos, sin, c.headCount);
  const k = rotary(g, key, positions, cos, sin, c.kvHeadCount);
  const att = attend(g, { query: q, pastKeys: pastKey, pastValues: pastValue, newKeys: k, newValues: v, bias }, c, attentionKind);
  const x2 = g.op('Add', [x, linear(g, att.output, w.o, 'attn_output', mode)]);
  const out = g.op('Add', [x2, swiGluMlp(g, rmsNorm(g, x2, w.ffnNorm, c.rmsEpsilon, 'ffn_norm'), w, 'ffn', mode)]);

  g.output(out, LAYER_IO.hiddenOut, 'float32', [1, 'n', e]);
  g.output(k, LAYER_IO.newKey, 'float32', [1, 'n', kvWidth]);
  g.output(v, LAYER_IO.newValue, 'float32', [1, 'n', kvWidth]);
  g.output(att.importance, LAYER_IO.importance, 'float32', ['t']);
  return g.toBytes();
}

function attend(g: OnnxGraph, v: AttentionValues, c: LlamaConfig, kind: AttentionKind): { output: string; importance: string } {
  switch (kind.kind) {
    case 'grouped':
      return groupedAttention(g, v, c);
    case 'prefix-banded':
      return prefixBandedAttention(g, v, c, kind.bands);
  }
}

import { int, ints, MS_DOMAIN, OnnxGraph } from '../onnx-graph';

export interface AttentionGeometry {
  readonly headCount: number;
  readonly kvHeadCount: number;
  readonly headDim: number;
}

export interface AttentionValues {
  /** [1, n, H*D], rotated. */
  readonly query: string;
  /** [1, m+n, kvH*D]: cached rows followed by the rows computed in this call, rotated. */
  readonly keys: string;
  readonly values: string;
  /** [1, 1, n, m+n] additive mask: 0 where a query may see a key (selected and not later in position), -inf elsewhere. */
  readonly bias: string;
}

/** Grouped-query heads share a KV head: repeat each KV head for its group of consecutive query heads. */
function repeatKvHeads(g: OnnxGraph, x: string, geo: AttentionGeometry): string {
  const group = geo.headCount / geo.kvHeadCount;
  if (group === 1) return x;
  const split = g.op('Reshape', [x, g.constInt64('kv_split', [1, -1, geo.kvHeadCount, 1, geo.headDim])]);
  const wide = g.op('Expand', [split, g.constInt64('kv_group', [1, 1, 1, group, 1])]);
  return g.op('Reshape', [wide, g.constInt64('kv_merge', [1, -1, geo.headCount * geo.headDim])]);
}

/**
 * Multi-head attention with a general additive mask, which is what lets a step attend over any
 * subset of cached tokens by original position. Also returns the last query's attention
 * probabilities averaged over heads, [m+n]: LazyLLM's token importance.
 */
export function attention(g: OnnxGraph, v: AttentionValues, geo: AttentionGeometry): { output: string; importance: string } {
  const keys = repeatKvHeads(g, v.keys, geo);
  const values = repeatKvHeads(g, v.values, geo);
  const output = g.op('MultiHeadAttention', [v.query, keys, values, '', '', v.bias], { num_heads: int(geo.headCount) }, { domain: MS_DOMAIN });

  const { headCount: h, headDim: d } = geo;
  const lastQuery = g.op('Slice', [v.query, g.constInt64('last', [-1]), g.constInt64('end', [2 ** 31 - 1]), g.constInt64('axis1', [1])]);
  const q = g.op('Transpose', [g.op('Reshape', [lastQuery, g.constInt64('q_heads', [1, 1, h, d])])], { perm: ints([0, 2, 1, 3]) });
  const kT = g.op('Transpose', [g.op('Reshape', [keys, g.constInt64('k_heads', [1, -1, h, d])])], { perm: ints([0, 2, 3, 1]) });
  const scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.constFloat('scale', 1 / Math.sqrt(d))]);
  const lastBias = g.op('Slice', [v.bias, g.constInt64('last', [-1]), g.constInt64('end', [2 ** 31 - 1]), g.constInt64('axis2', [2])]);
  const probs = g.op('Softmax', [g.op('Add', [scores, lastBias])], { axis: int(-1) });
  const mean = g.op('ReduceMean', [probs], { axes: ints([1]), keepdims: int(0) });
  const importance = g.op('Reshape', [mean, g.constInt64('flat', [-1])]);
  return { output, importance };
}

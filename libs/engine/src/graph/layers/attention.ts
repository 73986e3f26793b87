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
  return { output, importance: lastQueryImportance(g, v.query, keys, v.bias, geo) };
}

/**
 * Attention for a call with no cached rows whose queries and keys are the same tokens in position
 * order (a prefill): a query never sees a key after its own row, so the rows are split into `chunks`
 * bands and band i attends over the key prefix that ends with it. The score matrices then cover
 * (chunks+1)/(2*chunks) of n x n instead of all of it, skipping most of the masked upper triangle.
 * Same inputs and results as `attention`.
 */
export function prefixBandedAttention(g: OnnxGraph, v: AttentionValues, geo: AttentionGeometry, chunks: number): { output: string; importance: string } {
  const keys = repeatKvHeads(g, v.keys, geo);
  const values = repeatKvHeads(g, v.values, geo);
  const rows = g.op('Shape', [v.query], { start: int(1), end: int(2) });
  const zero = g.constInt64('zero', [0]);
  const bounds = [zero];
  for (let i = 1; i < chunks; i++) bounds.push(g.op('Div', [g.op('Mul', [rows, g.constInt64('band', [i])]), g.constInt64('bands', [chunks])]));
  bounds.push(rows);
  const rowsAxis = g.constInt64('axis1', [1]);
  const maskAxes = g.constInt64('axes23', [2, 3]);
  const bands: string[] = [];
  for (let i = 0; i < chunks; i++) {
    const [from, to] = [bounds[i], bounds[i + 1]];
    const query = g.op('Slice', [v.query, from, to, rowsAxis]);
    const bandKeys = g.op('Slice', [keys, zero, to, rowsAxis]);
    const bandValues = g.op('Slice', [values, zero, to, rowsAxis]);
    const bias = g.op('Slice', [v.bias, g.op('Concat', [from, zero], { axis: int(0) }), g.op('Concat', [to, to], { axis: int(0) }), maskAxes]);
    bands.push(g.op('MultiHeadAttention', [query, bandKeys, bandValues, '', '', bias], { num_heads: int(geo.headCount) }, { domain: MS_DOMAIN }));
  }
  const output = g.op('Concat', bands, { axis: int(1) });
  return { output, importance: lastQueryImportance(g, v.query, keys, v.bias, geo) };
}

/** The last query's softmax over all keys (its row of the mask applied), averaged over heads: [m+n]. */
function lastQueryImportance(g: OnnxGraph, query: string, keys: string, bias: string, geo: AttentionGeometry): string {
  const { headCount: h, headDim: d } = geo;
  const lastQuery = g.op('Slice', [query, g.constInt64('last', [-1]), g.constInt64('end', [2 ** 31 - 1]), g.constInt64('axis1', [1])]);
  const q = g.op('Transpose', [g.op('Reshape', [lastQuery, g.constInt64('q_heads', [1, 1, h, d])])], { perm: ints([0, 2, 1, 3]) });
  const kT = g.op('Transpose', [g.op('Reshape', [keys, g.constInt64('k_heads', [1, -1, h, d])])], { perm: ints([0, 2, 3, 1]) });
  const scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.constFloat('scale', 1 / Math.sqrt(d))]);
  const lastBias = g.op('Slice', [bias, g.constInt64('last', [-1]), g.constInt64('end', [2 ** 31 - 1]), g.constInt64('axis2', [2])]);
  const probs = g.op('Softmax', [g.op('Add', [scores, lastBias])], { axis: int(-1) });
  const mean = g.op('ReduceMean', [probs], { axes: ints([1]), keepdims: int(0) });
  return g.op('Reshape', [mean, g.constInt64('flat', [-1])]);
}

import { int, ints, MS_DOMAIN, OnnxGraph } from '../onnx-graph';

export interface AttentionGeometry {
  readonly headCount: number;
  readonly kvHeadCount: number;
  readonly headDim: number;
}

export interface AttentionValues {
  /** [1, n, H*D], rotated. */
  readonly query: string;
  /** [1, m, kvH*D] cached rows, rotated keys. */
  readonly pastKeys: string;
  readonly pastValues: string;
  /** [1, n, kvH*D] rows computed in this call, rotated keys. */
  readonly newKeys: string;
  readonly newValues: string;
  /** [1, 1, n, m+n] additive mask over cached then new rows: 0 where a query may see a key (selected and not later in position), -inf elsewhere. */
  readonly bias: string;
}

/** [1, m+n, kvH*D]: cached rows followed by new ones, the key order of the mask. */
function allRows(g: OnnxGraph, past: string, fresh: string): string {
  return g.op('Concat', [past, fresh], { axis: int(1) });
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
 * Attention with a general additive mask, which is what lets a step attend over any subset of cached
 * tokens by original position, plus the last query's attention probabilities averaged over heads
 * ([m+n], LazyLLM's token importance). Written with MatMuls over KV-head groups:
 * the cached rows are read in place, once per KV head, instead of being copied next to the new rows
 * and repeated for every query head as MultiHeadAttention needs; the importance comes from the same
 * probabilities. Measured for one row against 512 cached ones: those copies took most of the layer.
 */
export function groupedAttention(g: OnnxGraph, v: AttentionValues, geo: AttentionGeometry): { output: string; importance: string } {
  const { headCount: h, kvHeadCount: kvH, headDim: d } = geo;
  const group = h / kvH;
  // [1, n, H*D] -> [kvH, group*n, D]: a KV head's query heads and rows in one batch entry.
  const q = g.op('Transpose', [g.op('Reshape', [v.query, g.constInt64('q_groups', [-1, kvH, group, d])])], { perm: ints([1, 2, 0, 3]) });
  const queries = g.op('Reshape', [q, g.constInt64('q_batch', [kvH, -1, d])]);
  const byHead = (x: string) => g.op('Transpose', [g.op('Reshape', [x, g.constInt64('kv_heads', [-1, kvH, d])])], { perm: ints([1, 0, 2]) });
  const score = (keys: string) => g.op('FusedMatMul', [queries, byHead(keys)], { transB: int(1), alpha: { f: 1 / Math.sqrt(d) } }, { domain: MS_DOMAIN });
  const scores = g.op('Concat', [score(v.pastKeys), score(v.newKeys)], { axis: int(-1) });
  // [kvH, group*n, m+n] -> [kvH, group, n, m+n], so the [1, 1, n, m+n] mask broadcasts over heads.
  const dims = (x: string) => g.op('Shape', [x], { start: int(1), end: int(2) });
  const [rows, pastRows] = [dims(v.query), dims(v.pastKeys)];
  const perHead = g.op('Concat', [g.constInt64('head_dims', [kvH, group]), rows, g.op('Add', [pastRows, rows])], { axis: int(0) });
  const probs = g.op('Softmax', [g.op('Add', [g.op('Reshape', [scores, perHead]), v.bias])], { axis: int(-1) });
  const batched = g.op('Reshape', [probs, g.op('Concat', [g.constInt64('p_batch', [kvH, -1]), g.op('Add', [pastRows, rows])], { axis: int(0) })]);
  const split = g.opMulti('Split', [batched, g.op('Concat', [pastRows, rows], { axis: int(0) })], { axis: int(-1) }, { count: 2 });
  const context = g.op('Add', [g.op('MatMul', [split[0], byHead(v.pastValues)]), g.op('MatMul', [split[1], byHead(v.newValues)])]);
  // [kvH, group*n, D] -> [1, n, H*D]
  const rowsFirst = g.op('Transpose', [g.op('Reshape', [context, g.constInt64('c_groups', [kvH, group, -1, d])])], { perm: ints([2, 0, 1, 3]) });
  const output = g.op('Reshape', [rowsFirst, g.constInt64('c_rows', [1, -1, h * d])]);
  const lastRow = g.op('Slice', [probs, g.constInt64('last', [-1]), g.constInt64('end', [2 ** 31 - 1]), g.constInt64('axis2', [2])]);
  const importance = g.op('Reshape', [g.op('ReduceMean', [lastRow], { axes: ints([0, 1]), keepdims: int(0) }), g.constInt64('flat', [-1])]);
  return { output, importance };
}

/**
 * Attention for a call with no cached rows whose queries and keys are the same tokens in position
 * order (a prefill): a query never sees a key after its own row, so the rows are split into `chunks`
 * bands and band i attends over the key prefix that ends with it. The score matrices then cover
 * (chunks+1)/(2*chunks) of n x n instead of all of it, skipping most of the masked upper triangle.
 * Same inputs and results as `groupedAttention`.
 */
export function prefixBandedAttention(g: OnnxGraph, v: AttentionValues, geo: AttentionGeometry, chunks: number): { output: string; importance: string } {
  const rawKeys = allRows(g, v.pastKeys, v.newKeys);
  const keys = repeatKvHeads(g, rawKeys, geo);
  const values = repeatKvHeads(g, allRows(g, v.pastValues, v.newValues), geo);
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
  return { output, importance: lastQueryImportance(g, v.query, rawKeys, v.bias, geo) };
}

/** The last query's softmax over all keys (its row of the mask applied), averaged over heads: [m+n]. */
function lastQueryImportance(g: OnnxGraph, query: string, keys: string, bias: string, geo: AttentionGeometry): string {
  const { headCount: h, kvHeadCount: kvH, headDim: d } = geo;
  const lastQuery = g.op('Slice', [query, g.constInt64('last', [-1]), g.constInt64('end', [2 ** 31 - 1]), g.constInt64('axis1', [1])]);
  // Grouped by KV head ([kvH, group, D] against [kvH, D, t]) so the keys are not repeated per query head.
  const q = g.op('Reshape', [lastQuery, g.constInt64('q_groups', [kvH, h / kvH, d])]);
  const kT = g.op('Transpose', [g.op('Reshape', [keys, g.constInt64('k_heads', [-1, kvH, d])])], { perm: ints([1, 2, 0]) });
  const scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.constFloat('scale', 1 / Math.sqrt(d))]);
  const lastBias = g.op('Slice', [bias, g.constInt64('last', [-1]), g.constInt64('end', [2 ** 31 - 1]), g.constInt64('axis2', [2])]);
  const probs = g.op('Softmax', [g.op('Add', [scores, g.op('Reshape', [lastBias, g.constInt64('bias_row', [1, 1, -1])])])], { axis: int(-1) });
  return g.op('Reshape', [g.op('ReduceMean', [probs], { axes: ints([0, 1]), keepdims: int(0) }), g.constInt64('flat', [-1])]);
}

import { LayerKvStore } from './layer-kv-store';

/**
 * Additive attention bias [n, m+n] for queries `computed` (token indices = positions, ascending)
 * against the layer's m cached rows followed by the n new rows: a query at position p sees a key
 * only if the key's token takes part in this layer (`takesPart`) and its position is <= p.
 */
export function attentionBias(computed: Int32Array, store: LayerKvStore, takesPart: Uint8Array): Float32Array {
  const m = store.count;
  const n = computed.length;
  const t = m + n;
  const rowTokens = store.tokens;
  const bias = new Float32Array(n * t);
  // Visibility of cached rows, independent of the query; positions decide the rest.
  const visibleRow = new Uint8Array(m);
  for (let r = 0; r < m; r++) visibleRow[r] = takesPart[rowTokens[r]];
  for (let q = 0; q < n; q++) {
    const p = computed[q];
    const row = q * t;
    for (let r = 0; r < m; r++) if (!visibleRow[r] || rowTokens[r] > p) bias[row + r] = -Infinity;
    // New keys are in ascending position order, so a query sees exactly the first q+1 of them.
    bias.fill(-Infinity, row + m + q + 1, row + t);
  }
  return bias;
}

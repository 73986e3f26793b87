import { attentionBias } from './attention-mask';
import { LayerKvStore } from './layer-kv-store';

describe('attentionBias', () => {
  it('lets a query see taking-part keys at positions up to its own, cached rows in any order', () => {
    const store = new LayerKvStore(2);
    // Cached rows for tokens 4, 0 and 2, in the order they were computed.
    store.append([4, 0, 2], new Float32Array(6), new Float32Array(6));
    const takesPart = Uint8Array.from([1, 0, 0, 1, 1, 1]); // token 2 was dropped this step
    const bias = attentionBias(Int32Array.from([3, 5]), store, takesPart);
    const X = -Infinity;
    // Columns: cached 4, 0, 2, then new 3, 5.
    expect(Array.from(bias)).toEqual([
      X, 0, X, 0, X,
      0, 0, X, 0, 0,
    ]);
  });

  it('is plainly causal for a prefill', () => {
    const bias = attentionBias(Int32Array.from([0, 1, 2]), new LayerKvStore(2), Uint8Array.from([1, 1, 1]));
    const X = -Infinity;
    expect(Array.from(bias)).toEqual([0, X, X, 0, 0, X, 0, 0, 0]);
  });
});

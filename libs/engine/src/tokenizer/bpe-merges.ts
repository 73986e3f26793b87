/**
 * Rank-based BPE merging of one pre-tokenized word, as llama.cpp's llm_tokenizer_bpe_session does it:
 * start from single characters, repeatedly merge the adjacent pair with the lowest merge rank
 * (leftmost first on ties), using a priority queue with lazy invalidation of stale pairs.
 */
export class BpeMerges {
  /** left -> right -> rank (the merge's index in tokenizer.ggml.merges). */
  private readonly ranks = new Map<string, Map<string, number>>();

  constructor(merges: readonly string[]) {
    merges.forEach((merge, rank) => {
      // llama.cpp splits at the first space after position 0, so a left side may itself be a space.
      const at = merge.indexOf(' ', 1);
      if (at < 0) return;
      const left = merge.slice(0, at);
      const right = merge.slice(at + 1);
      let rights = this.ranks.get(left);
      if (!rights) this.ranks.set(left, (rights = new Map()));
      if (!rights.has(right)) rights.set(right, rank);
    });
  }

  /** The symbols `word` merges into (their concatenation is `word`). */
  apply(word: string): string[] {
    const symbols = Array.from(word);
    const n = symbols.length;
    if (n < 2) return symbols;
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }

    const queue = new PairQueue();
    const consider = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const rank = this.ranks.get(symbols[left])?.get(symbols[right]);
      if (rank !== undefined) queue.push({ rank, left, right, leftText: symbols[left], rightText: symbols[right] });
    };
    for (let i = 1; i < n; i++) consider(i - 1, i);

    for (let pair = queue.pop(); pair; pair = queue.pop()) {
      // A pair is stale once either side has been merged into something else since it was queued.
      if (symbols[pair.left] !== pair.leftText || symbols[pair.right] !== pair.rightText) continue;
      symbols[pair.left] = pair.leftText + pair.rightText;
      symbols[pair.right] = '';
      const after = next[pair.right];
      next[pair.left] = after;
      if (after >= 0) prev[after] = pair.left;
      consider(prev[pair.left], pair.left);
      consider(pair.left, after);
    }
    return symbols.filter((s) => s.length > 0);
  }
}

interface Pair {
  rank: number;
  left: number;
  right: number;
  leftText: string;
  rightText: string;
}

/** Binary min-heap ordered by (rank, left position). */
class PairQueue {
  private readonly heap: Pair[] = [];

  push(p: Pair): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): Pair | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && before(h[l], h[best])) best = l;
        if (r < h.length && before(h[r], h[best])) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best], h[i]];
        i = best;
      }
    }
    return top;
  }
}

function before(a: Pair, b: Pair): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.left < b.left);
}

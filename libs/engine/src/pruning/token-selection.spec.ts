import { dropCount, selectByPercentile, selectRandomly } from './token-selection';

const positions = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('selectByPercentile', () => {
  it('drops floor(p/100 * n) of the lowest-scored candidates and keeps position order', () => {
    const candidates = Int32Array.from([2, 5, 7, 9, 11]);
    const importance = Float32Array.from([0.3, 0.1, 0.4, 0.05, 0.15]);
    expect(Array.from(selectByPercentile(candidates, importance, 40, 11))).toEqual([2, 7, 11]);
    expect(Array.from(selectByPercentile(candidates, importance, 59, 11))).toEqual([2, 7, 11]);
    expect(Array.from(selectByPercentile(candidates, importance, 60, 11))).toEqual([7, 11]);
  });

  it('never drops the protected (last) token, even when it scores lowest', () => {
    const importance = Float32Array.from([0.5, 0.2, 0.2, 0.1]);
    expect(Array.from(selectByPercentile(positions(4), importance, 50, 3))).toEqual([0, 3]);
    expect(Array.from(selectByPercentile(positions(4), importance, 99, 3))).toEqual([3]);
  });

  it('breaks ties towards dropping earlier positions', () => {
    expect(Array.from(selectByPercentile(positions(5), new Float32Array(5).fill(0.2), 40, 4))).toEqual([2, 3, 4]);
  });

  it('returns the candidates unchanged when the percentile drops nothing', () => {
    const candidates = positions(9);
    expect(selectByPercentile(candidates, new Float32Array(9), 0, 8)).toBe(candidates);
    expect(selectByPercentile(candidates, new Float32Array(9), 11, 8)).toBe(candidates);
    expect(Array.from(selectByPercentile(positions(1), new Float32Array(1), 99, 0))).toEqual([0]);
  });

  it('drops exactly floor(p * n / 100) when p/100 * n is an integer (70% of 90 is 63)', () => {
    const survivors = selectByPercentile(positions(90), Float32Array.from({ length: 90 }, (_, i) => i), 70, 89);
    expect(survivors).toHaveLength(27);
  });
});

describe('dropCount', () => {
  it('is floor(p * n / 100) in exact arithmetic, leaving at least one token', () => {
    expect(dropCount(70, 90)).toBe(63);
    expect(dropCount(29, 100)).toBe(29);
    expect(dropCount(35, 180)).toBe(63);
    expect(dropCount(99.9, 5)).toBe(4);
    expect(dropCount(50, 1)).toBe(0);
    expect(dropCount(0, 1000)).toBe(0);
  });
});

describe('selectRandomly', () => {
  /** A deterministic stand-in for a uniform stream. */
  const sequence = (...values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length];
  };

  it('drops the same count as selectByPercentile, never the protected token, and keeps position order', () => {
    const candidates = Int32Array.from([3, 4, 8, 10, 12, 15, 20]);
    for (const p of [10, 30, 50, 99]) {
      const kept = selectRandomly(candidates, p, 20, Math.random);
      expect(kept).toHaveLength(selectByPercentile(candidates, new Float32Array(7), p, 20).length);
      expect(kept).toContain(20);
      expect(Array.from(kept)).toEqual([...kept].sort((a, b) => a - b));
    }
  });

  it('chooses by the stream it is given: the same stream, the same choice', () => {
    // Partial Fisher-Yates over rows [0, 1, 2, 3] (token 9 is protected): 0.99 swaps row 0 with row 3,
    // then 0 leaves row 1 in place: rows 3 and 1 (tokens 7 and 2) are dropped.
    expect(Array.from(selectRandomly(Int32Array.from([1, 2, 5, 7, 9]), 40, 9, sequence(0.99, 0)))).toEqual([1, 5, 9]);
    expect(Array.from(selectRandomly(Int32Array.from([1, 2, 5, 7, 9]), 40, 9, sequence(0, 0)))).toEqual([5, 7, 9]);
  });

  it('gives every unprotected candidate the same chance of being dropped', () => {
    const n = 10;
    const trials = 20_000;
    const drops = new Array<number>(n).fill(0);
    let state = 12345;
    const lcg = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (let k = 0; k < trials; k++) {
      const kept = new Set(selectRandomly(positions(n), 30, n - 1, lcg));
      for (let t = 0; t < n; t++) if (!kept.has(t)) drops[t]++;
    }
    // 3 of the 9 unprotected tokens per trial: each is dropped with probability 1/3 (sd ~0.0033 here).
    for (let t = 0; t < n - 1; t++) expect(Math.abs(drops[t] / trials - 1 / 3)).toBeLessThan(0.02);
    expect(drops[n - 1]).toBe(0);
  });
});

import { selectByPercentile } from './token-selection';

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

  // Known bug: the count is computed as floor((p / 100) * n) in floating point, and 0.7 * 90 is
  // 62.99999999999999, so one token too few is dropped (also p=29 or 57 with n=100, p=35 with n=180).
  // Fix: Math.floor((percentile * candidates.length) / 100). Turn this into a plain `it` once fixed.
  it('drops exactly floor(p * n / 100) when p/100 * n is an integer (70% of 90 is 63)', () => {
    const survivors = selectByPercentile(positions(90), Float32Array.from({ length: 90 }, (_, i) => i), 70, 89);
    expect(survivors).toHaveLength(27);
  });
});

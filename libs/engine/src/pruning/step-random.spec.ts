import { stepRandom } from './step-random';

const draw = (r: () => number, n = 8) => Array.from({ length: n }, r);

describe('stepRandom', () => {
  it('gives the same stream for the same seed, step and layer, in [0, 1)', () => {
    const a = draw(stepRandom(7, 1200, 5), 1000);
    expect(draw(stepRandom(7, 1200, 5), 1000)).toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    // Roughly uniform: the mean of 1000 draws is within 4 standard deviations (0.0091 each) of 1/2.
    expect(Math.abs(a.reduce((s, x) => s + x, 0) / a.length - 0.5)).toBeLessThan(0.037);
  });

  it('gives unrelated streams when the seed, the step or the layer changes', () => {
    const base = draw(stepRandom(7, 1200, 5));
    for (const other of [stepRandom(8, 1200, 5), stepRandom(7, 1201, 5), stepRandom(7, 1200, 6), stepRandom(5, 1200, 7)]) {
      const values = draw(other);
      expect(values.filter((x, i) => x === base[i])).toHaveLength(0);
    }
  });
});

import { klDivergence, logSoftmax, meanInterval } from '../../bench/lazyllm/divergence';

describe('next-token divergence', () => {
  it('log softmax sums to one and ignores a shift of every logit', () => {
    const a = logSoftmax([1, 2, 3, -50]);
    const b = logSoftmax([1001, 1002, 1003, 950]);
    expect(a.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 12);
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 9));
  });

  it('KL is zero for the same distribution and matches the closed form otherwise', () => {
    expect(klDivergence(logSoftmax([0.3, -1, 2]), logSoftmax([5.3, 4, 7]))).toBeCloseTo(0, 12);
    // P = (1/2, 1/2), Q = (1/4, 3/4): KL = 1/2 ln 2 + 1/2 ln(2/3).
    const p = Float64Array.from([Math.log(0.5), Math.log(0.5)]);
    expect(klDivergence(p, logSoftmax([0, Math.log(3)]))).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 12);
  });

  it('KL is asymmetric and skips tokens the reference gives no mass', () => {
    const p = logSoftmax([0, -Infinity, 1]);
    const q = logSoftmax([0, 3, 1]);
    expect(klDivergence(p, q)).toBeGreaterThan(0);
    expect(klDivergence(p, q)).not.toBeCloseTo(klDivergence(q, logSoftmax([0, -30, 1])), 3);
  });

  it('refuses distributions over different vocabularies', () => {
    expect(() => klDivergence(logSoftmax([0, 1]), logSoftmax([0, 1, 2]))).toThrow(/2 and 3 tokens/);
  });

  it('gives the mean with a 95% interval that narrows with more data', () => {
    const small = meanInterval([1, 2, 3, 4]);
    expect(small.mean).toBe(2.5);
    expect(small.interval[0]).toBeCloseTo(2.5 - 1.96 * Math.sqrt(5 / 3 / 4), 12);
    const large = meanInterval([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    expect(large.interval[1] - large.interval[0]).toBeLessThan(small.interval[1] - small.interval[0]);
    expect(meanInterval([]).n).toBe(0);
    expect(meanInterval([0.9, 1, 1], [0, 1]).interval[1]).toBe(1);
  });
});

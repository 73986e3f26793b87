import { mean } from '../lib/stats';

/** How far a pruned run's next-token distributions are from the no-drop run's, and intervals for them. */

/** log softmax of one logit row, in float64 (the tails of a 49k vocabulary underflow in float32). */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const logZ = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - logZ);
}

/** KL(P || Q) in nats, both given as log-probabilities; P is the reference. */
export function klDivergence(p: Float64Array, q: Float64Array): number {
  if (p.length !== q.length) throw new RangeError(`distributions over ${p.length} and ${q.length} tokens`);
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > -Infinity) kl += Math.exp(p[i]) * (p[i] - q[i]);
  return Math.max(0, kl);
}

export interface MeanInterval {
  readonly mean: number;
  /** 95% normal interval of the mean (the sample is per question, tens of them). */
  readonly interval: readonly [number, number];
  readonly n: number;
}

/** `bounds` clips the interval to the values the mean can take (a share, a divergence). */
export function meanInterval(xs: readonly number[], bounds: readonly [number, number] = [-Infinity, Infinity]): MeanInterval {
  const n = xs.length;
  if (n === 0) return { mean: NaN, interval: [NaN, NaN], n };
  const m = mean(xs);
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1) : 0;
  const half = 1.96 * Math.sqrt(variance / n);
  return { mean: m, interval: [Math.max(bounds[0], m - half), Math.min(bounds[1], m + half)], n };
}

import type { Generation } from '../../libs/engine/src';

/**
 * 1-based rank of `token` in `logits` as greedy sampling orders them (higher first, lower id first on
 * ties): rank 1 is the token greedy decoding picks.
 */
export function rankOf(logits: Float32Array, token: number): number {
  const value = logits[token];
  let rank = 1;
  for (let i = 0; i < logits.length; i++) if (logits[i] > value || (logits[i] === value && i < token)) rank++;
  return rank;
}

/** Highest minus second-highest logit: how close greedy decoding was to picking another token. */
export function topTwoGap(logits: Float32Array): number {
  let first = -Infinity;
  let second = -Infinity;
  for (const v of logits) {
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) second = v;
  }
  return first - second;
}

/**
 * Keeps a copy of the logits of every token the generation samples from now on. A divergence between
 * two runs is judged by both runs' distributions at that step, which Generation does not expose, so the
 * sampler's input is taken on its way in.
 */
export function recordSampledLogits(generation: Generation): Float32Array[] {
  const seen: Float32Array[] = [];
  const { sampler } = generation;
  const sample = sampler.sample.bind(sampler);
  sampler.sample = (logits: Float32Array): number => {
    seen.push(logits.slice());
    return sample(logits);
  };
  return seen;
}

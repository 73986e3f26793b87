/**
 * Uniform numbers in [0, 1) for the random-drop baseline, derived from (seed, step, layer) alone: a
 * generation moved to another process draws the same choices without carrying a generator's state.
 * The step is named by its token count after the step, which no two steps of a generation share.
 */
export function stepRandom(seed: number, stepTokens: number, layer: number): () => number {
  let state = mix(mix(mix(0x9e3779b9, seed), stepTokens), layer);
  // mulberry32, as the sampler uses.
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One round of a murmur3-style integer hash, so nearby (seed, step, layer) triples give unrelated streams. */
function mix(h: number, value: number): number {
  let k = Math.imul(value >>> 0, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

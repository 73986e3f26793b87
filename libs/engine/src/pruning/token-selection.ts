/**
 * How many of `candidates` tokens a percentile drops: floor(p * n / 100) in exact integer steps
 * (p/100 * n in floating point loses one token at e.g. 70% of 90), at most all but the protected one.
 */
export function dropCount(percentile: number, candidates: number): number {
  return Math.max(0, Math.min(Math.floor((percentile * candidates) / 100), candidates - 1));
}

/**
 * Keep the tokens whose importance is at or above the given percentile of the candidates' scores.
 * Exactly dropCount(p, n) of the lowest-scored candidates are dropped (ties broken towards dropping
 * earlier positions), and `protectedToken` (the step's last token) is never dropped.
 * Returns the survivors in position order.
 */
export function selectByPercentile(candidates: Int32Array, importance: Float32Array, percentile: number, protectedToken: number): Int32Array {
  const count = dropCount(percentile, candidates.length);
  if (count === 0) return candidates;
  const order = Array.from(candidates.keys()).filter((i) => candidates[i] !== protectedToken);
  order.sort((a, b) => importance[a] - importance[b] || a - b);
  return dropRows(candidates, order.slice(0, count));
}

/** The random-drop baseline: the same count as selectByPercentile, chosen uniformly (never the protected token). */
export function selectRandomly(candidates: Int32Array, percentile: number, protectedToken: number, uniform: () => number): Int32Array {
  const count = dropCount(percentile, candidates.length);
  if (count === 0) return candidates;
  const pool = Array.from(candidates.keys()).filter((i) => candidates[i] !== protectedToken);
  // Partial Fisher-Yates: the first `count` entries become a uniform sample without replacement.
  for (let k = 0; k < count; k++) {
    const j = k + Math.floor(uniform() * (pool.length - k));
    [pool[k], pool[j]] = [pool[j], pool[k]];
  }
  return dropRows(candidates, pool.slice(0, count));
}

function dropRows(candidates: Int32Array, rows: readonly number[]): Int32Array {
  const dropped = new Uint8Array(candidates.length);
  for (const r of rows) dropped[r] = 1;
  return candidates.filter((_, i) => !dropped[i]);
}

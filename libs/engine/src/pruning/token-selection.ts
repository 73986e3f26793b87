/**
 * Keep the tokens whose importance is at or above the given percentile of the candidates' scores.
 * Exactly floor(p/100 * count) of the lowest-scored candidates are dropped (ties broken towards
 * dropping earlier positions), and `protectedToken` (the step's last token) is never dropped.
 * Returns the survivors in position order.
 */
export function selectByPercentile(candidates: Int32Array, importance: Float32Array, percentile: number, protectedToken: number): Int32Array {
  const dropCount = Math.min(Math.floor((percentile * candidates.length) / 100), candidates.length - 1);
  if (dropCount <= 0) return candidates;
  const order = Array.from(candidates.keys()).filter((i) => candidates[i] !== protectedToken);
  order.sort((a, b) => importance[a] - importance[b] || a - b);
  const dropped = new Uint8Array(candidates.length);
  for (let k = 0; k < dropCount && k < order.length; k++) dropped[order[k]] = 1;
  return candidates.filter((_, i) => !dropped[i]);
}

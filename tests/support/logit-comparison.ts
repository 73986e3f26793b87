/** Error measures between reference (Float64) and engine (Float32) logit rows. */

export interface RowError {
  readonly maxAbs: number;
  /** RMS of the difference over RMS of the reference: the error as a share of the logits' scale. */
  readonly relativeRms: number;
}

export function rowError(reference: ArrayLike<number>, engine: Float32Array, engineOffset = 0): RowError {
  let maxAbs = 0;
  let squaredError = 0;
  let squaredReference = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = engine[engineOffset + i] - reference[i];
    // No Math calls in the loop: global lookups are slow under jest.
    if (d > maxAbs) maxAbs = d;
    else if (-d > maxAbs) maxAbs = -d;
    squaredError += d * d;
    squaredReference += reference[i] * reference[i];
  }
  return { maxAbs, relativeRms: Math.sqrt(squaredError / squaredReference) };
}

/** Greedy choice, lowest id on ties (as the engine's sampler). */
export function argmax64(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Gap between the best and the second-best logit: how far a greedy choice is from a tie. */
export function topTwoGap(logits: ArrayLike<number>): number {
  let first = -Infinity;
  let second = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) {
      second = v;
    }
  }
  return first - second;
}

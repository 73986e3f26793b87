/** How the next token is chosen. temperature 0 is greedy (argmax, lowest id on ties). */
export interface SamplingParams {
  readonly temperature: number;
  /** Keep the k most likely tokens; 0 keeps all. */
  readonly topK: number;
  /** Keep the smallest set whose probability reaches p; 1 keeps all. */
  readonly topP: number;
  readonly seed: number;
}

export const GREEDY: SamplingParams = { temperature: 0, topK: 0, topP: 1, seed: 0 };

export function validateSampling(p: SamplingParams): SamplingParams {
  if (!(p.temperature >= 0) || !Number.isFinite(p.temperature)) throw new RangeError(`temperature ${p.temperature} must be a finite number >= 0`);
  if (!Number.isInteger(p.topK) || p.topK < 0) throw new RangeError(`topK ${p.topK} must be an integer >= 0`);
  if (!(p.topP > 0 && p.topP <= 1)) throw new RangeError(`topP ${p.topP} must be in (0, 1]`);
  if (!Number.isInteger(p.seed)) throw new RangeError(`seed ${p.seed} must be an integer`);
  return p;
}

export function argmax(logits: Float32Array, offset = 0, length = logits.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = logits[offset + i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * A seeded sampler whose whole state is one 32-bit integer (mulberry32), so a generation moved to
 * another process continues with the same random stream.
 */
export class Sampler {
  constructor(readonly params: SamplingParams, private state = params.seed >>> 0) {}

  get rngState(): number {
    return this.state;
  }

  sample(logits: Float32Array): number {
    const { temperature, topK, topP } = this.params;
    if (temperature === 0) return argmax(logits);
    let ids = Array.from(logits.keys());
    ids.sort((a, b) => logits[b] - logits[a] || a - b);
    if (topK > 0) ids = ids.slice(0, topK);
    const max = logits[ids[0]];
    let probs = ids.map((i) => Math.exp((logits[i] - max) / temperature));
    let sum = probs.reduce((a, b) => a + b, 0);
    if (topP < 1) {
      let acc = 0;
      let keep = 0;
      while (keep < probs.length && acc < topP * sum) acc += probs[keep++];
      ids = ids.slice(0, keep);
      probs = probs.slice(0, keep);
      sum = acc;
    }
    let r = this.next() * sum;
    for (let i = 0; i < ids.length; i++) {
      r -= probs[i];
      if (r <= 0) return ids[i];
    }
    return ids[ids.length - 1];
  }

  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

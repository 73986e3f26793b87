/**
 * Math's functions are bound once here: under jest every global lookup inside a hot loop goes through
 * the test context's interceptors and keeps V8 from optimizing it (measured ~20x slower).
 */
const { cos, imul, log, sqrt, floor, PI } = Math;

/**
 * Deterministic pseudo-random numbers for test fixtures (mulberry32 + Box-Muller), so a tiny model
 * written on any machine has the same bytes.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Normal with the given mean and standard deviation. */
  normal(mean = 0, std = 1): number {
    // 1 - uniform() is in (0, 1], so the logarithm is finite.
    const r = sqrt(-2 * log(1 - this.uniform()));
    return mean + std * r * cos(2 * PI * this.uniform());
  }

  normals(count: number, mean: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Integer in [0, bound). */
  below(bound: number): number {
    return floor(this.uniform() * bound);
  }
}

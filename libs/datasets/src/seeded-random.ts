/**
 * A small seeded generator (mulberry32) for building evaluation sets: the same seed gives the same
 * prompts on every machine, so benchmark runs are comparable and their cached results reusable.
 */
export class SeededRandom {
  private state: number;

  /** Several integers (e.g. a run seed and a question index) fold into one stream. */
  constructor(...seeds: number[]) {
    let h = 0x811c9dc5;
    for (const s of seeds) h = Math.imul(h ^ (s >>> 0), 0x01000193) >>> 0;
    this.state = h;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.uniform() * bound);
  }
}

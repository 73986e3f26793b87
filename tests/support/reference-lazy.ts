import { LayerRow, ReferenceKvCache, ReferenceLlama } from './reference-forward';

/**
 * LazyLLM written naively from docs/LAZYLLM.md on top of the reference forward pass, to check the
 * engine's pruned runs against. Every token keeps its hidden state at the input of the first layer it
 * has not been computed at (its "frontier"): that is the Aux Cache for dropped tokens, and simply
 * the running activation for the others.
 */

export interface ReferenceSchedule {
  readonly layers: readonly number[];
  readonly percentiles: readonly number[];
}

export interface ReferenceLazyStep {
  readonly logits: Float64Array;
  /** Per layer: the tokens taking part (alive), ascending. */
  readonly alive: number[][];
  /** Per layer: the tokens computed, ascending. */
  readonly computed: number[][];
  /** Tokens computed at a layer they had not reached in this step (taken from their frontier). */
  readonly revived: number;
  /**
   * Per pruning decision that dropped something: the gap between the lowest kept and the highest
   * dropped score, relative to the kept one. Attention probabilities carry relative rounding errors,
   * so a gap within the engine's relative error means the choice is a coin toss.
   */
  readonly decisionMargins: number[];
}

export class ReferenceLazyLlm {
  readonly tokens: number[] = [];
  readonly depth: number[] = [];
  private readonly frontier = new Map<number, Float64Array>();
  private readonly caches: ReferenceKvCache[];

  constructor(private readonly model: ReferenceLlama, private readonly schedule: ReferenceSchedule) {
    this.caches = Array.from({ length: model.config.layerCount }, () => new ReferenceKvCache());
  }

  step(newTokens: readonly number[]): ReferenceLazyStep {
    const layerCount = this.model.config.layerCount;
    for (const t of newTokens) {
      this.frontier.set(this.tokens.length, this.model.embed(t));
      this.tokens.push(t);
      this.depth.push(0);
    }
    const last = this.tokens.length - 1;
    let alive = this.tokens.map((_, p) => p);
    let importance = new Map<number, number>();
    let previous: number[] = [];
    const aliveByLayer: number[][] = [];
    const computedByLayer: number[][] = [];
    const decisionMargins: number[] = [];
    let revived = 0;

    for (let l = 0; l < layerCount; l++) {
      const j = this.schedule.layers.indexOf(l);
      if (j >= 0) {
        const decision = prune(alive, importance, this.schedule.percentiles[j], last);
        alive = decision.kept;
        if (decision.margin !== undefined) decisionMargins.push(decision.margin);
      }
      const computed = alive.filter((t) => this.depth[t] === l);
      if (alive.some((t) => this.depth[t] < l)) throw new Error(`reference: a token alive at layer ${l} was never computed at layer ${l - 1}`);
      revived += computed.filter((t) => l > 0 && !previous.includes(t)).length;
      const rows: LayerRow[] = computed.map((t) => ({ position: t, hidden: this.frontier.get(t)! }));
      const out = this.model.layer(l, rows, this.caches[l], alive);
      computed.forEach((t, i) => {
        this.depth[t] = l + 1;
        this.frontier.set(t, out.hidden[i]);
      });
      importance = out.lastAttention;
      aliveByLayer.push(alive);
      computedByLayer.push(computed);
      previous = computed;
    }

    const logits = this.model.logits(this.frontier.get(last)!);
    for (const [t] of this.frontier) if (this.depth[t] === layerCount) this.frontier.delete(t);
    return { logits, alive: aliveByLayer, computed: computedByLayer, revived, decisionMargins };
  }
}

/**
 * Drop floor(percentile * n / 100) of the n candidates with the lowest importance, earlier positions
 * first on ties, never the step's last token (the engine's documented rule, in exact integer arithmetic).
 */
function prune(candidates: number[], importance: Map<number, number>, percentile: number, last: number): { kept: number[]; margin?: number } {
  const dropCount = Math.min(Math.floor((percentile * candidates.length) / 100), candidates.length - 1);
  if (dropCount <= 0) return { kept: candidates };
  const score = (t: number) => {
    const s = importance.get(t);
    if (s === undefined) throw new Error(`reference: no importance for candidate ${t}`);
    return s;
  };
  const order = candidates.filter((t) => t !== last).sort((a, b) => score(a) - score(b) || a - b);
  const dropped = new Set(order.slice(0, dropCount));
  const lowestKept = dropCount < order.length ? score(order[dropCount]) : undefined;
  const margin = lowestKept === undefined ? undefined : (lowestKept - score(order[dropCount - 1])) / lowestKept;
  return { kept: candidates.filter((t) => !dropped.has(t)), margin };
}

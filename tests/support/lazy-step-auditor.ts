import type { GenerationState } from '@lazyllm/engine/generation/generation-state';
import type { StepObserver } from '@lazyllm/engine/generation/lazy-step';
import type { PruningSchedule } from '@lazyllm/engine/pruning/pruning-schedule';

/**
 * Watches every layer of every LazyLLM step (as runLazyStep's observer) and records each breach of
 * the rules in docs/LAZYLLM.md, "Behaviour that must hold". It keeps its own account of how deep
 * every token has been computed, so it does not trust the engine's bookkeeping it is checking.
 */
export class LazyStepAuditor implements StepObserver {
  readonly violations: string[] = [];
  /** depth[t]: the auditor's count of layers token t has been computed at. */
  readonly depth: number[] = [];
  /** Every (token, layer) pair computed so far. */
  readonly computedPairs = new Set<string>();
  steps = 0;
  /** Tokens computed at a layer > 0 without having been computed at the layer before in the same step. */
  revived = 0;
  private previousLayer = -1;
  private previousAlive: Int32Array = new Int32Array(0);
  private previousComputed = new Set<number>();

  constructor(private readonly layerCount: number, private readonly schedule: PruningSchedule) {}

  onLayer(layer: number, computed: Int32Array, takingPart: Int32Array): void {
    if (layer === 0) this.steps++;
    const fail = (problem: string) => this.violations.push(`step ${this.steps - 1}, layer ${layer}: ${problem}`);
    if (layer === 0) this.startStep(takingPart, fail);
    else if (layer !== this.previousLayer + 1) fail(`layers out of order (after ${this.previousLayer})`);

    const alive = new Set(takingPart);
    const last = this.depth.length - 1;
    if (!isAscending(takingPart) || !isAscending(computed)) fail('token lists are not in position order');
    if (!computed.includes(last)) fail(`the step's last token ${last} is not computed`);
    for (const t of computed) if (!alive.has(t)) fail(`token ${t} is computed but does not take part`);
    if (layer > 0) this.checkShrinking(layer, takingPart, fail);

    for (const t of takingPart) {
      const d = this.depth[t];
      const isComputed = computed.includes(t);
      if (isComputed && d !== layer) fail(`token ${t} of depth ${d} is computed at layer ${layer}`);
      if (!isComputed && d <= layer) fail(`token ${t} of depth ${d} takes part at layer ${layer} without KV there`);
    }
    for (const t of computed) {
      const pair = `${t}@${layer}`;
      if (this.computedPairs.has(pair)) fail(`token ${t} is computed at layer ${layer} a second time`);
      this.computedPairs.add(pair);
      this.depth[t] = layer + 1;
      if (layer > 0 && !this.previousComputed.has(t)) this.revived++;
    }
    this.previousLayer = layer;
    this.previousAlive = takingPart.slice();
    this.previousComputed = new Set(computed);
  }

  /** The engine's state after a step must agree with what the auditor saw. */
  checkState(state: GenerationState): string[] {
    const problems: string[] = [];
    if (state.depth.join() !== this.depth.join()) problems.push(`state depths [${state.depth}] differ from observed [${this.depth}]`);
    if (state.computedPairs !== this.computedPairs.size) problems.push(`state counts ${state.computedPairs} computed pairs, observed ${this.computedPairs.size}`);
    state.kv.forEach((store, l) => {
      const rows = [...store.tokens].sort((a, b) => a - b);
      const expected = this.depth.flatMap((d, t) => (d > l ? [t] : []));
      if (rows.join() !== expected.join()) problems.push(`layer ${l} KV rows are for tokens [${rows}], expected [${expected}]`);
    });
    this.depth.forEach((d, t) => {
      const entry = state.aux.get(t);
      if (d < this.layerCount && entry?.depth !== d) problems.push(`token ${t} stopped at depth ${d} but its Aux Cache entry is ${entry ? `at ${entry.depth}` : 'missing'}`);
      if (d === this.layerCount && entry) problems.push(`token ${t} reached the last layer but still has an Aux Cache entry`);
    });
    return problems;
  }

  private startStep(takingPart: Int32Array, fail: (problem: string) => void): void {
    if (this.steps > 1 && this.previousLayer !== this.layerCount - 1) fail(`previous step stopped after layer ${this.previousLayer}`);
    const total = takingPart.length;
    if (takingPart.some((t, i) => t !== i)) fail('not every token takes part at layer 0');
    if (total <= this.depth.length) fail(`the step adds no token (${total} tokens, ${this.depth.length} before)`);
    while (this.depth.length < total) this.depth.push(0);
    this.previousComputed = new Set();
  }

  /** S(l) ⊆ S(l-1); it changes only at scheduled layers, by exactly the scheduled count. */
  private checkShrinking(layer: number, alive: Int32Array, fail: (problem: string) => void): void {
    const before = new Set(this.previousAlive);
    for (const t of alive) if (!before.has(t)) fail(`token ${t} takes part at layer ${layer} but not at layer ${layer - 1}`);
    const j = this.schedule.layers.indexOf(layer);
    const n = this.previousAlive.length;
    const expectedDrops = j < 0 ? 0 : Math.min(Math.floor((this.schedule.percentiles[j] * n) / 100), n - 1);
    if (n - alive.length !== expectedDrops) fail(`${n - alive.length} of ${n} tokens dropped, expected ${expectedDrops}`);
  }
}

function isAscending(a: Int32Array): boolean {
  return a.every((v, i) => i === 0 || a[i - 1] < v);
}

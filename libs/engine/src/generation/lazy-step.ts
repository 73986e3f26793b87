import { percentileAt } from '../pruning/pruning-schedule';
import { chooseSurvivors } from '../pruning/survivors';
import type { LlamaModel } from '../runtime/llama-model';
import { attentionBias } from './attention-mask';
import { GenerationState } from './generation-state';

/** Sees which tokens each layer computes and which take part in its attention (tests count pairs with it). */
export interface StepObserver {
  onLayer(layer: number, computed: Int32Array, takingPart: Int32Array): void;
}

export interface StepOptions {
  /** Return logits for every token computed through the last layer (teacher forcing), not just the last. */
  readonly allLogits?: boolean;
  readonly observer?: StepObserver;
}

export interface StepResult {
  /** [V] logits of the step's last token, or [k, V] for the k fully computed tokens with allLogits. */
  readonly logits: Float32Array;
  /** (token, layer) pairs computed in this step. */
  readonly computedPairs: number;
  /** Tokens brought back from the Aux Cache in this step. */
  readonly revived: number;
}

/**
 * One LazyLLM generation step: append `newTokens` and run every layer over the tokens alive there.
 *
 * At layer l the alive set S(l) starts as every token (l = 0) and shrinks only at pruning layers,
 * where the schedule's selection policy decides (pruning/survivors.ts; for LazyLLM, the importance
 * measured at l-1). A token in S(l) is computed at l exactly when its depth is l: new tokens at
 * layer 0, tokens that went on from l-1, and tokens revived from the Aux Cache at the depth where
 * they stopped. Tokens in S(l) with depth > l take part through their cached KV rows; cached rows
 * of tokens outside S(l) are masked out. Tokens that stop are parked in the Aux Cache with their
 * hidden state at the input of the layer where they stopped.
 */
export async function runLazyStep(model: LlamaModel, state: GenerationState, newTokens: number[], opts: StepOptions = {}): Promise<StepResult> {
  if (newTokens.length === 0) throw new Error('a generation step needs at least one new token');
  const { layerCount, hiddenSize: e, schedule } = state;
  const first = state.length;
  for (const t of newTokens) {
    state.tokens.push(t);
    state.depth.push(0);
  }
  const total = state.length;
  const last = total - 1;

  const takesPart = new Uint8Array(total).fill(1);
  let maskVersion = 0;
  let alive: Int32Array = Int32Array.from({ length: total }, (_, i) => i);
  let computed: Int32Array = Int32Array.from({ length: newTokens.length }, (_, i) => first + i);
  let hidden = model.embed(newTokens);
  let importance: Float32Array | undefined;
  let bias: { values: Float32Array; computed: Int32Array; maskVersion: number; rows: Int32Array } | undefined;
  let pairs = 0;
  let revived = 0;

  for (let l = 0; l < layerCount; l++) {
    const percentile = percentileAt(schedule, l);
    if (percentile !== undefined && importance) {
      const survivors = chooseSurvivors(schedule, { layer: l, percentile, candidates: alive, importance: gatherImportance(importance, alive), lastToken: last, firstNew: first, depth: state.depth });
      if (survivors.length !== alive.length) {
        takesPart.fill(0);
        for (const t of survivors) takesPart[t] = 1;
        alive = survivors;
        maskVersion++;
      }
    }
    const next = tokensToCompute(state, alive, l);
    if (!sameTokens(next, computed)) {
      const assembled = assembleHidden(state, computed, hidden, next, takesPart, l, e);
      revived += assembled.revived;
      hidden = assembled.hidden;
      computed = next;
    }
    const store = state.kv[l];
    // Within a step the mask changes only with the computed set, the alive set or the cached rows,
    // so a dense prefill builds it once for all layers.
    if (!bias || bias.computed !== computed || bias.maskVersion !== maskVersion || !sameTokens(bias.rows, store.tokens)) {
      bias = { values: attentionBias(computed, store, takesPart), computed, maskVersion, rows: store.tokens.slice() };
    }
    opts.observer?.onLayer(l, computed, alive);

    const out = await model.runLayer(l, {
      hidden,
      positions: computed,
      pastKey: store.keys,
      pastValue: store.values,
      pastRows: store.count,
      bias: bias.values,
    });
    importance = percentileAt(schedule, l + 1) !== undefined ? importanceByToken(out.importance, store.tokens, computed, total) : undefined;
    store.append(computed, out.key, out.value);
    for (const t of computed) state.depth[t] = l + 1;
    pairs += computed.length;
    hidden = out.hidden;
  }
  state.computedPairs += pairs;

  const lastRow = computed.indexOf(last);
  if (lastRow !== computed.length - 1) throw new Error('internal: the step\'s last token did not reach the final layer');
  const rows = opts.allLogits ? hidden : hidden.subarray(lastRow * e, (lastRow + 1) * e);
  return { logits: await model.logits(rows), computedPairs: pairs, revived };
}

/** Tokens of S(l) whose depth is exactly l; deeper ones are cached, shallower ones cannot be alive. */
function tokensToCompute(state: GenerationState, alive: Int32Array, l: number): Int32Array {
  const out: number[] = [];
  for (const t of alive) {
    const d = state.depth[t];
    if (d === l) out.push(t);
    else if (d < l) throw new Error(`internal: token ${t} of depth ${d} is alive at layer ${l}`);
  }
  return Int32Array.from(out);
}

/**
 * Hidden states at the input of layer l for `next`: rows carried from the previous layer's output,
 * or revived from the Aux Cache. Tokens computed at l-1 that are no longer alive stop here.
 */
function assembleHidden(state: GenerationState, prev: Int32Array, prevHidden: Float32Array, next: Int32Array, takesPart: Uint8Array, l: number, e: number): { hidden: Float32Array; revived: number } {
  const rowOf = new Map<number, number>();
  prev.forEach((t, i) => {
    rowOf.set(t, i);
    if (!takesPart[t]) state.aux.set(t, l, prevHidden.slice(i * e, (i + 1) * e));
  });
  const hidden = new Float32Array(next.length * e);
  let revived = 0;
  next.forEach((t, i) => {
    const row = rowOf.get(t);
    if (row !== undefined) {
      hidden.set(prevHidden.subarray(row * e, (row + 1) * e), i * e);
    } else {
      hidden.set(state.aux.take(t, l), i * e);
      revived++;
    }
  });
  return { hidden, revived };
}

/** The layer's importance output is over [cached rows..., computed rows...]; index it by token. */
function importanceByToken(scores: Float32Array, rowTokens: Int32Array, computed: Int32Array, total: number): Float32Array {
  const byToken = new Float32Array(total);
  const m = rowTokens.length;
  for (let r = 0; r < m; r++) byToken[rowTokens[r]] = scores[r];
  for (let j = 0; j < computed.length; j++) byToken[computed[j]] = scores[m + j];
  return byToken;
}

function gatherImportance(byToken: Float32Array, tokens: Int32Array): Float32Array {
  return Float32Array.from(tokens, (t) => byToken[t]);
}

function sameTokens(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

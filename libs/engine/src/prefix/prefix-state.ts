import { attentionBias } from '../generation/attention-mask';
import { GenerationState } from '../generation/generation-state';
import { LayerKvStore } from '../generation/layer-kv-store';
import { PruningSchedule, selectionOf, validateSchedule } from '../pruning/pruning-schedule';
import type { LlamaModel } from '../runtime/llama-model';

/** A schedule a document prefix cannot serve, with the reason. */
export class PrefixScheduleError extends Error {
  override readonly name = 'PrefixScheduleError';
}

/**
 * The layer below which every token of a step is computed: the schedule's first pruning layer. Only a
 * step-by-step policy can continue a prefix: 'static' decides once in the step that starts from an
 * empty state, and a prefix state is not empty.
 */
export function firstPruningLayer(schedule: PruningSchedule): number {
  if (schedule.layers.length === 0) throw new PrefixScheduleError('a schedule without pruning layers computes every token at every layer, so no work is question-independent');
  if (selectionOf(schedule).kind === 'static') throw new PrefixScheduleError('static selection decides once, in a prefill from an empty state, so it cannot continue a prefix');
  return schedule.layers[0];
}

/**
 * The documents of a prompt laid out documents-first, computed once: layers [0, p1) for every token
 * (attention is causal, so these keys and values do not depend on what follows), and every token
 * parked in the Aux Cache at depth p1 with its hidden state at the input of p1. A LazyLLM step over the
 * question's tokens then continues it (Generation.continue): the question is computed at layers < p1
 * against these rows, and at p1 the documents are candidates like any token and those kept are revived
 * from the Aux Cache.
 */
export async function computePrefix(model: LlamaModel, documentTokens: readonly number[], schedule: PruningSchedule): Promise<GenerationState> {
  if (documentTokens.length === 0) throw new RangeError('a document prefix needs at least one token');
  if (documentTokens.length >= model.config.contextLength) throw new RangeError(`a prefix of ${documentTokens.length} tokens leaves no room in the context of ${model.config.contextLength}`);
  const stopAt = firstPruningLayer(validateSchedule(schedule, model.config.layerCount));
  const state = GenerationState.forModel(model.config, schedule);
  const n = documentTokens.length;
  const e = state.hiddenSize;
  const positions = Int32Array.from({ length: n }, (_, i) => i);
  // Causal over the documents: the same mask the first layers of a full LazyLLM prefill use.
  const bias = attentionBias(positions, state.kv[0], new Uint8Array(n).fill(1));
  let hidden = model.embed(documentTokens);
  for (let l = 0; l < stopAt; l++) {
    const store = state.kv[l];
    const out = await model.runLayer(l, { hidden, positions, pastKey: store.keys, pastValue: store.values, pastRows: 0, bias });
    store.append(positions, out.key, out.value);
    hidden = out.hidden;
  }
  for (let t = 0; t < n; t++) {
    state.tokens.push(documentTokens[t]);
    state.depth.push(stopAt);
    state.aux.set(t, stopAt, hidden.slice(t * e, (t + 1) * e));
  }
  state.computedPairs = n * stopAt;
  return state;
}

/**
 * A copy to continue from, leaving `prefix` as it was. K/V rows are copied (a step appends into the
 * stores' buffers); Aux Cache rows are shared, since steps replace entries and never write into them.
 */
export function clonePrefixState(prefix: GenerationState): GenerationState {
  const kv = prefix.kv.map((store) => {
    const rows = store.count * store.width;
    return LayerKvStore.adopt(store.width, store.count, store.tokens.slice(), store.keys.slice(0, rows), store.values.slice(0, rows));
  });
  const copy = new GenerationState(prefix.layerCount, prefix.kvWidth, prefix.hiddenSize, prefix.schedule, kv);
  copy.tokens.push(...prefix.tokens);
  copy.depth.push(...prefix.depth);
  for (const [token, entry] of prefix.aux.sorted()) copy.aux.set(token, entry.depth, entry.hidden);
  copy.computedPairs = prefix.computedPairs;
  return copy;
}

/**
 * The first `length` tokens of a state after a step over prefix + question: their depths, K/V rows and
 * Aux Cache entries, including the layers a step revived them through. This is what shared-revival
 * mode stores back, so later questions reuse those rows instead of computing them (the approximation
 * LazyLLM makes across decode steps: rows computed while other tokens were dropped are kept).
 */
export function leadingTokens(state: GenerationState, length: number): GenerationState {
  if (!Number.isInteger(length) || length < 1 || length > state.length) throw new RangeError(`cannot take ${length} of ${state.length} tokens`);
  let pairs = 0;
  const kv = state.kv.map((store) => {
    const rows: number[] = [];
    store.tokens.forEach((t, r) => t < length && rows.push(r));
    const w = store.width;
    const keys = new Float32Array(rows.length * w);
    const values = new Float32Array(rows.length * w);
    rows.forEach((r, i) => {
      keys.set(store.keys.subarray(r * w, (r + 1) * w), i * w);
      values.set(store.values.subarray(r * w, (r + 1) * w), i * w);
    });
    pairs += rows.length;
    return LayerKvStore.adopt(w, rows.length, Int32Array.from(rows, (r) => store.tokens[r]), keys, values);
  });
  const out = new GenerationState(state.layerCount, state.kvWidth, state.hiddenSize, state.schedule, kv);
  out.tokens.push(...state.tokens.slice(0, length));
  out.depth.push(...state.depth.slice(0, length));
  for (const [token, entry] of state.aux.sorted()) if (token < length) out.aux.set(token, entry.depth, entry.hidden);
  out.computedPairs = pairs;
  return out;
}

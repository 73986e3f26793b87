import { Generation, GenerationParams } from '../generation/generation';
import { GenerationState } from '../generation/generation-state';
import { LayerKvStore } from '../generation/layer-kv-store';
import type { StepObserver } from '../generation/lazy-step';
import { Sampler } from '../generation/sampler';
import type { LlamaModel } from '../runtime/llama-model';
import { decodeHalfRows } from './half-float';
import { checkConsistency, checkModelMatch, geometryOf } from './state-checks';
import { DecodedState, decodeState, encodeState, KvPrecision } from './state-format';

export interface SerializeOptions {
  /** 'f32' (default) is lossless; 'f16' halves the K/V rows at a small cost in accuracy. */
  readonly kvPrecision?: KvPrecision;
}

export interface ResumeOptions {
  readonly observer?: StepObserver;
}

/** The generation's whole state as bytes (see state-format.ts), to be resumed by resumeGeneration. */
export function serializeGeneration(generation: Generation, options: SerializeOptions = {}): Uint8Array {
  const { model, state, sampler, params } = generation;
  return encodeState(
    {
      modelIdentity: model.identity,
      geometry: geometryOf(model.config),
      tokens: state.tokens,
      depth: state.depth,
      generated: generation.generated,
      stopTokens: params.stopTokens ?? [],
      schedule: state.schedule,
      sampling: sampler.params,
      rngState: sampler.rngState,
      maxTokens: params.maxTokens,
      computedPairs: state.computedPairs,
      revived: generation.revived,
      timings: generation.timings,
      finishReason: generation.finishReason,
      kv: state.kv.map((store) => ({
        tokens: store.tokens,
        keys: store.keys.subarray(0, store.count * store.width),
        values: store.values.subarray(0, store.count * store.width),
      })),
      aux: state.aux.sorted().map(([token, entry]) => ({ token, depth: entry.depth, hidden: entry.hidden })),
    },
    options.kvPrecision ?? 'f32',
  );
}

/**
 * A generation that continues exactly where the serialized one stopped. Refuses (StateFormatError)
 * a state that is damaged, of another format version, written for another model, or self-contradictory.
 */
export function resumeGeneration(model: LlamaModel, bytes: Uint8Array, options: ResumeOptions = {}): Generation {
  const s = decodeState(bytes);
  checkModelMatch(s.header, model);
  checkConsistency(s, model.config);
  const state = restoreState(s, reachableTokens(s, model.config.contextLength));
  const params: GenerationParams = {
    maxTokens: s.maxTokens,
    sampling: s.sampling,
    stopTokens: Array.from(s.stopTokens),
    schedule: state.schedule,
    observer: options.observer,
  };
  const generation = new Generation(model, state, new Sampler(s.sampling, s.rngState), params);
  for (let i = 0; i < s.generated.length; i++) generation.generated.push(s.generated[i]);
  generation.finishReason = s.finishReason;
  Object.assign(generation.timings, s.timings);
  generation.revived = s.revived;
  return generation;
}

/** Tokens the generation can hold by its end: its KV stores get that many rows up front instead of regrowing. */
function reachableTokens(s: DecodedState, contextLength: number): number {
  const remainingSteps = s.finishReason === undefined ? s.maxTokens - s.generated.length : 0;
  return Math.min(contextLength, s.tokens.length + remainingSteps);
}

/** The one copy out of the bytes: K/V rows into their stores (widened from half in compact mode), Aux Cache rows. */
function restoreState(s: DecodedState, rowCapacity: number): GenerationState {
  const { layerCount, kvHeadCount, headDim, hiddenSize } = s.geometry;
  const width = kvHeadCount * headDim;
  const kv = s.kv.map((rows) => {
    const slots = Math.max(rowCapacity, rows.tokens.length);
    const tokens = new Int32Array(slots);
    tokens.set(rows.tokens);
    const keys = new Float32Array(slots * width);
    const values = new Float32Array(slots * width);
    copyRows(rows.keys, keys);
    copyRows(rows.values, values);
    return LayerKvStore.adopt(width, rows.tokens.length, tokens, keys, values);
  });
  const state = new GenerationState(layerCount, width, hiddenSize, s.schedule, kv);
  for (let i = 0; i < s.tokens.length; i++) {
    state.tokens.push(s.tokens[i]);
    state.depth.push(s.depth[i]);
  }
  state.computedPairs = s.computedPairs;
  for (const e of s.aux) state.aux.set(e.token, e.depth, e.hidden.slice());
  return state;
}

function copyRows(stored: Float32Array | Uint16Array, into: Float32Array): void {
  if (stored instanceof Uint16Array) decodeHalfRows(stored, into);
  else into.set(stored);
}

import { LlamaConfig } from '../model/llama-config';
import { PruningSchedule } from '../pruning/pruning-schedule';
import { AuxCache } from './aux-cache';
import { LayerKvStore } from './layer-kv-store';

/**
 * Everything the next generation step needs, as plain data: the tokens (a token's position is its
 * index), how deep each token has been computed, the KV rows per layer, the Aux Cache, and the
 * counters. Serializing this (plus the sampler state) is enough to resume in another process.
 */
export class GenerationState {
  readonly tokens: number[] = [];
  /** depth[i]: token i has KV at layers < depth[i]; L means computed through every layer. */
  readonly depth: number[] = [];
  readonly kv: LayerKvStore[];
  readonly aux = new AuxCache();
  /** (token, layer) computations done so far. */
  computedPairs = 0;

  /** `kv` is given when restoring a serialized state; a new generation starts with empty stores. */
  constructor(readonly layerCount: number, readonly kvWidth: number, readonly hiddenSize: number, readonly schedule: PruningSchedule, kv?: LayerKvStore[]) {
    this.kv = kv ?? Array.from({ length: layerCount }, () => new LayerKvStore(kvWidth));
  }

  static forModel(c: LlamaConfig, schedule: PruningSchedule): GenerationState {
    return new GenerationState(c.layerCount, c.kvHeadCount * c.headDim, c.hiddenSize, schedule);
  }

  get length(): number {
    return this.tokens.length;
  }

  /** Share of (token, layer) computations done, against computing every token at every layer once. */
  get computedShare(): number {
    return this.tokens.length === 0 ? 0 : this.computedPairs / (this.tokens.length * this.layerCount);
  }
}

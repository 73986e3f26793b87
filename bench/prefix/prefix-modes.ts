import type { GenerationParams, LlamaModel } from '../../libs/engine/src';
import { Generation } from '../../libs/engine/src';
import { PrefixedPrompt, RedisPrefixCache, startPrefixedGeneration } from '../../libs/prefix-cache/src';

/** The ways one question is answered in the benchmark. */
export type ModeName = 'no-drop' | 'lazyllm' | 'lazyllm-two-phase' | 'cache-exact' | 'cache-shared-revival';

export interface ModeRun {
  readonly tokens: readonly number[];
  /** Whole answer: prefill (with any cache traffic) and decode. */
  readonly wallMs: number;
  readonly prefillMs: number;
  readonly prefix: string;
}

/**
 * One greedy answer of at most params.maxTokens tokens. 'lazyllm' and 'no-drop' prefill the whole prompt
 * in one step; 'lazyllm-two-phase' computes the documents then the question with no cache (the path the
 * service takes without one); the cache modes take the documents from Redis.
 */
export async function runMode(mode: ModeName, model: LlamaModel, prompt: PrefixedPrompt, params: GenerationParams, caches: { exact: RedisPrefixCache; shared: RedisPrefixCache }): Promise<ModeRun> {
  const t0 = performance.now();
  let generation: Generation;
  let prefix = 'none';
  switch (mode) {
    case 'no-drop':
    case 'lazyllm':
      generation = await Generation.start(model, [...prompt.tokens], params);
      break;
    default: {
      const cache = mode === 'cache-exact' ? caches.exact : mode === 'cache-shared-revival' ? caches.shared : undefined;
      const started = await startPrefixedGeneration(model, prompt, params, cache);
      generation = started.generation;
      prefix = started.prefix;
    }
  }
  const prefillMs = performance.now() - t0;
  await generation.finish();
  return { tokens: generation.generated, wallMs: performance.now() - t0, prefillMs, prefix };
}

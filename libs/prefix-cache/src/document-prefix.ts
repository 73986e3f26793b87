import { computePrefix, Generation, GenerationParams, leadingTokens, LlamaModel, restorePrefix, selectionOf, serializePrefix, STATE_FORMAT_VERSION, validateSchedule } from '@lazyllm/engine';
import { prefixKey } from './prefix-key';
import type { PrefixSource, PrefixStore } from './prefix-store';

/** How a document-QA prefill used the prefix: not at all (the schedule cannot), computed here, or from the cache. */
export type PrefixUse = 'none' | 'local' | PrefixSource;

/** A prompt whose first `prefixLength` tokens are documents any question over them shares. */
export interface PrefixedPrompt {
  readonly tokens: readonly number[];
  readonly prefixLength: number;
}

/** True when the schedule lets a prefix be computed apart from the question: it prunes, step by step. */
export function prefixApplies(params: GenerationParams, model: LlamaModel): boolean {
  const schedule = validateSchedule(params.schedule ?? { layers: [], percentiles: [] }, model.config.layerCount);
  return schedule.layers.length > 0 && selectionOf(schedule).kind !== 'static';
}

/**
 * The prefill of a document-QA prompt as prefix then question: the documents through the first pruning
 * layer (from `cache` when given, else computed here), then one LazyLLM step over the question's tokens.
 * With or without the cache the computation is the same, so exact-mode answers are bit-identical to
 * uncached ones. In shared-revival mode the documents' rows this step computed are stored back for the
 * next question. A schedule that cannot split (no pruning, static selection) runs the whole prompt as one step.
 */
export async function startPrefixedGeneration(model: LlamaModel, prompt: PrefixedPrompt, params: GenerationParams, cache?: PrefixStore): Promise<{ generation: Generation; prefix: PrefixUse }> {
  const tokens = [...prompt.tokens];
  if (!prefixApplies(params, model) || prompt.prefixLength < 1 || prompt.prefixLength >= tokens.length) {
    return { generation: await Generation.start(model, tokens, params), prefix: 'none' };
  }
  const schedule = params.schedule!;
  const documents = tokens.slice(0, prompt.prefixLength);
  const question = tokens.slice(prompt.prefixLength);
  if (!cache) {
    const generation = await Generation.continue(model, await computePrefix(model, documents, schedule), question, params);
    return { generation, prefix: 'local' };
  }
  const mode = cache.settings.mode;
  const id = prefixKey({ modelIdentity: model.identity, documentTokens: documents, schedule, formatVersion: STATE_FORMAT_VERSION, mode });
  const { bytes, source } = await cache.getOrCompute(id, async () => serializePrefix(model, await computePrefix(model, documents, schedule)));
  const generation = await Generation.continue(model, restorePrefix(model, bytes), question, params);
  if (mode === 'shared-revival') await cache.write(id, serializePrefix(model, leadingTokens(generation.state, prompt.prefixLength)));
  return { generation, prefix: source };
}

import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import { Generation } from '@lazyllm/engine';
import { PrefixStore, PrefixUse, startPrefixedGeneration } from '@lazyllm/prefix-cache';
import { documentQaTokens, promptTokens } from '@lazyllm/prompts';
import { generationParams } from './generation-params';
import type { LoadedModel } from './loaded-model';

/** A job's prefill: its prompt tokens, the generation with its first token, and how the documents' prefix was used. */
export interface JobPrefill {
  readonly prompt: number[];
  readonly generation: Generation;
  readonly prefix: PrefixUse;
}

/**
 * Document QA runs as the documents' prefix then the question (from `cache` when given, else computed
 * here: the same computation either way), so answers are the same with or without the cache; other
 * inputs prefill in one step.
 */
export async function startJobGeneration(engine: LoadedModel, input: JobInput, options: GenerationOptions, cache?: PrefixStore): Promise<JobPrefill> {
  const { model, tokenizer, template } = engine;
  const params = generationParams(options, tokenizer, model.config.layerCount);
  if (input.kind !== 'document-qa') {
    const prompt = promptTokens(input, tokenizer, template);
    return { prompt, generation: await Generation.start(model, prompt, params), prefix: 'none' };
  }
  const split = documentQaTokens(input, tokenizer, template);
  const { generation, prefix } = await startPrefixedGeneration(model, split, params, cache);
  return { prompt: split.tokens, generation, prefix };
}

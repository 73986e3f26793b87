import type { GenerationOptions } from '@lazyllm/contracts';
import { batchLazySchedule, ContextLengthError, defaultLazySchedule, GenerationParams, GgufError, NO_PRUNING, PruningSchedule, ScheduleError, Tokenizer } from '@lazyllm/engine';

/** The engine's schedule for a request; the named ones are placed by the model's depth (libs/engine/src/pruning/named-schedules.ts). */
export function pruningSchedule(schedule: GenerationOptions['schedule'], layerCount: number): PruningSchedule {
  if (schedule === 'default') return defaultLazySchedule(layerCount);
  if (schedule === 'batch') return batchLazySchedule(layerCount);
  if (schedule === 'none') return NO_PRUNING;
  return schedule;
}

/** A request's options as the engine takes them; generation also ends on the model's end-of-turn tokens. */
export function generationParams(options: GenerationOptions, tokenizer: Tokenizer, layerCount: number): GenerationParams {
  return {
    maxTokens: options.maxTokens,
    sampling: { temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.seed },
    stopTokens: tokenizer.endOfGenerationIds,
    schedule: pruningSchedule(options.schedule, layerCount),
  };
}

/**
 * Errors that say the request itself cannot be served (too long for the context window, a schedule or
 * sampling setting the model refuses, a chat request to a model without a template): retrying is useless.
 */
export function isRequestError(err: unknown): err is Error {
  return err instanceof ContextLengthError || err instanceof ScheduleError || err instanceof RangeError || err instanceof GgufError;
}

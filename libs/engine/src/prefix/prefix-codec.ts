import { Generation } from '../generation/generation';
import type { GenerationState } from '../generation/generation-state';
import { GREEDY, Sampler } from '../generation/sampler';
import type { LlamaModel } from '../runtime/llama-model';
import { resumeGeneration, serializeGeneration } from '../state/generation-codec';
import { StateFormatError } from '../state/state-format-error';

/**
 * A prefix state in the generation state format, lossless (f32): stored as a generation that ended
 * without generating anything, so the format needs no new field and every check resumeGeneration makes
 * (model identity, version, checksum, the depth/KV/Aux Cache invariants) applies to prefixes too.
 */
export function serializePrefix(model: LlamaModel, prefix: GenerationState): Uint8Array {
  const holder = new Generation(model, prefix, new Sampler(GREEDY), { maxTokens: 1, schedule: prefix.schedule });
  holder.finishReason = 'stop';
  return serializeGeneration(holder, { kvPrecision: 'f32' });
}

/** The prefix state in `bytes`; StateFormatError when they are not a prefix written for this model. */
export function restorePrefix(model: LlamaModel, bytes: Uint8Array): GenerationState {
  const holder = resumeGeneration(model, bytes);
  if (holder.generated.length !== 0 || holder.finishReason !== 'stop') throw new StateFormatError('inconsistent-content', 'a generation state, not a document prefix');
  return holder.state;
}

import { NO_PRUNING, PruningSchedule, validateSchedule } from '../pruning/pruning-schedule';
import type { LlamaModel } from '../runtime/llama-model';
import { GenerationState } from './generation-state';
import { runLazyStep, StepObserver } from './lazy-step';
import { GREEDY, Sampler, SamplingParams, validateSampling } from './sampler';

export interface GenerationParams {
  readonly maxTokens: number;
  readonly sampling?: SamplingParams;
  /** Generation ends when one of these is sampled (it is not part of the output). */
  readonly stopTokens?: readonly number[];
  readonly schedule?: PruningSchedule;
  readonly observer?: StepObserver;
}

export type FinishReason = 'stop' | 'length';

export class ContextLengthError extends Error {
  constructor(readonly promptTokens: number, readonly limit: number) {
    super(`prompt has ${promptTokens} tokens; the model's context window is ${limit} tokens and at least one must remain for the answer`);
    this.name = 'ContextLengthError';
  }
}

export interface GenerationTimings {
  /** Prefill step including sampling of the first token. */
  prefillMs: number;
  decodeMs: number;
  decodeSteps: number;
}

/**
 * A generation in progress: prefill once, then one decode step at a time. The state and the sampler
 * are everything it holds, so it can be serialized between any two steps.
 */
export class Generation {
  readonly generated: number[] = [];
  finishReason: FinishReason | undefined;
  readonly timings: GenerationTimings = { prefillMs: 0, decodeMs: 0, decodeSteps: 0 };
  revived = 0;

  constructor(
    readonly model: LlamaModel,
    readonly state: GenerationState,
    readonly sampler: Sampler,
    readonly params: GenerationParams,
  ) {}

  static async start(model: LlamaModel, prompt: number[], params: GenerationParams): Promise<Generation> {
    const limit = model.config.contextLength;
    if (prompt.length === 0) throw new RangeError('prompt is empty');
    if (prompt.length >= limit) throw new ContextLengthError(prompt.length, limit);
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) throw new RangeError(`maxTokens ${params.maxTokens} must be an integer >= 1`);
    const schedule = validateSchedule(params.schedule ?? NO_PRUNING, model.config.layerCount);
    const g = new Generation(model, GenerationState.forModel(model.config, schedule), new Sampler(validateSampling(params.sampling ?? GREEDY)), params);
    const t0 = performance.now();
    await g.advance(prompt);
    g.timings.prefillMs = performance.now() - t0;
    return g;
  }

  /**
   * A generation whose prompt is `prefix`'s tokens followed by `tokens`, where `prefix` is a state no
   * step has run on (a document prefix, prefix/prefix-state.ts): the first step appends `tokens` and is
   * the prefill. The prefix's schedule is the generation's; `prefix` becomes its state, so pass a copy
   * to keep it.
   */
  static async continue(model: LlamaModel, prefix: GenerationState, tokens: number[], params: GenerationParams): Promise<Generation> {
    const limit = model.config.contextLength;
    const promptLength = prefix.length + tokens.length;
    if (tokens.length === 0) throw new RangeError('a continuation needs at least one token after the prefix');
    if (promptLength >= limit) throw new ContextLengthError(promptLength, limit);
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) throw new RangeError(`maxTokens ${params.maxTokens} must be an integer >= 1`);
    if (params.schedule && JSON.stringify(params.schedule) !== JSON.stringify(prefix.schedule)) throw new RangeError('the continuation asks for another schedule than its prefix was computed with');
    const g = new Generation(model, prefix, new Sampler(validateSampling(params.sampling ?? GREEDY)), { ...params, schedule: prefix.schedule });
    const t0 = performance.now();
    await g.advance(tokens);
    g.timings.prefillMs = performance.now() - t0;
    return g;
  }

  get done(): boolean {
    return this.finishReason !== undefined;
  }

  /** Run one decode step; returns the token it generated, or undefined when it generated none (a stop token, or already finished). */
  async step(): Promise<number | undefined> {
    if (this.done) return undefined;
    const before = this.generated.length;
    const t0 = performance.now();
    await this.advance([this.generated[before - 1]]);
    this.timings.decodeMs += performance.now() - t0;
    this.timings.decodeSteps++;
    return this.generated.length > before ? this.generated[before] : undefined;
  }

  async finish(): Promise<number[]> {
    while (!this.done) await this.step();
    return this.generated;
  }

  private async advance(tokens: number[]): Promise<void> {
    const result = await runLazyStep(this.model, this.state, tokens, { observer: this.params.observer });
    this.revived += result.revived;
    const next = this.sampler.sample(result.logits);
    if (this.params.stopTokens?.includes(next)) {
      this.finishReason = 'stop';
      return;
    }
    this.generated.push(next);
    if (this.generated.length >= this.params.maxTokens || this.state.length + 1 >= this.model.config.contextLength) this.finishReason = 'length';
  }
}

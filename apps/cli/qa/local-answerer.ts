import { existsSync } from 'node:fs';
import { MemoryPrefixCache } from '@lazyllm/prefix-cache';
import { AnswerText } from '@lazyllm/prompts';
import { ModelNotFoundError } from '../../shared/configuration-error';
import { startJobGeneration } from '../../shared/job-prefill';
import { LoadedModel } from '../../shared/loaded-model';
import { generationOptions, type Answerer, type QaAnswer, type QaGenerationOptions, type QaTask } from './qa-task';

/**
 * Answers in this process with the engine, one question at a time: the same prompt, parameters and
 * prefix-then-question prefill the workers use, no Redis. The documents' prefix is kept in memory, so
 * questions over the same documents compute it once.
 */
export class LocalAnswerer implements Answerer {
  readonly mode = 'local';
  readonly concurrency = 1;
  private readonly prefixes = new MemoryPrefixCache({ mode: 'exact' });

  private constructor(
    private readonly engine: LoadedModel,
    private readonly options: QaGenerationOptions,
  ) {}

  static async load(modelPath: string, threads: number | undefined, options: QaGenerationOptions): Promise<LocalAnswerer> {
    if (!existsSync(modelPath)) throw new ModelNotFoundError(modelPath);
    return new LocalAnswerer(await LoadedModel.load({ modelPath, threads }), options);
  }

  async answer(task: QaTask, _attempt: number, signal: AbortSignal): Promise<QaAnswer> {
    const started = performance.now();
    const input = { kind: 'document-qa' as const, documents: task.documents, question: task.question };
    const { prompt, generation } = await startJobGeneration(this.engine, input, generationOptions(this.options), this.prefixes);
    const ttftMs = performance.now() - started;
    while (!generation.done) {
      signal.throwIfAborted();
      await generation.step();
    }
    const text = new AnswerText(this.engine.tokenizer, []);
    for (const token of generation.generated) text.push(token);
    const { prefillMs, decodeMs, decodeSteps } = generation.timings;
    return {
      answer: text.text + text.finish(),
      finishReason: generation.finishReason ?? 'length',
      usage: { promptTokens: prompt.length, completionTokens: generation.generated.length },
      computedShare: generation.state.computedShare,
      timings: { ttftMs, prefillMs, decodeMs, decodeTokensPerSec: decodeMs > 0 ? (decodeSteps * 1000) / decodeMs : 0, totalMs: performance.now() - started },
    };
  }

  close(): Promise<void> {
    return this.engine.model.release();
  }
}

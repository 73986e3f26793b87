import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import type { FinishReason } from '@lazyllm/engine';
import { AnswerText } from '@lazyllm/prompts';
import { startJobGeneration } from '../../apps/shared/job-prefill';
import type { LoadedModel } from '../../apps/shared/loaded-model';

/** A request's answer from the engine in the test's own process: the prefill the workers run, no queue, no handoff. */
export interface ReferenceAnswer {
  readonly tokens: number[];
  /** The text each token adds, as the answer is streamed. */
  readonly pieces: string[];
  readonly text: string;
  readonly promptTokens: number;
  readonly finishReason: FinishReason;
}

export async function referenceAnswer(engine: LoadedModel, input: JobInput, options: GenerationOptions): Promise<ReferenceAnswer> {
  const { prompt, generation } = await startJobGeneration(engine, input, options);
  await generation.finish();
  const answer = new AnswerText(engine.tokenizer, options.stop);
  const tokens: number[] = [];
  const pieces: string[] = [];
  for (const token of generation.generated) {
    if (answer.stopped) break;
    tokens.push(token);
    pieces.push(answer.push(token).text);
  }
  return { tokens, pieces, text: answer.text + answer.finish(), promptTokens: prompt.length, finishReason: generation.finishReason ?? 'length' };
}

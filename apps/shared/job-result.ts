import type { JobResult } from '@lazyllm/contracts';
import type { Generation } from '@lazyllm/engine';
import { AnswerPublisher } from './answer-publisher';

/** The final result of a generation whose tokens went out through `publisher`; call once, when it has ended. */
export function jobResult(generation: Generation, publisher: AnswerPublisher, promptTokens: number, computedShare: number): JobResult {
  const tokens = generation.generated.slice(0, publisher.tokenCount);
  const text = publisher.answer.text + publisher.answer.finish();
  return {
    text,
    tokens,
    finishReason: publisher.answer.stopped ? 'stop' : (generation.finishReason ?? 'length'),
    usage: { promptTokens, completionTokens: tokens.length },
    pruning: { schedule: generation.state.schedule, computedShare, revived: generation.revived },
  };
}

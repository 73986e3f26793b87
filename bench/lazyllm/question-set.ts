import { nqOpenRecords, SeededRandom } from '../../libs/datasets/src';
import { ChatTemplate, LlamaModel, readGguf, Tokenizer } from '../../libs/engine/src';
import { PromptMode, QaPrompt, qaPrompt } from './qa-prompts';

/** Choice and order of distractors, gold positions and the order questions are taken in. */
export const SEED = 0;
/**
 * Measured on this 135M instruct model (bench/lazyllm/README.md): as raw text after "Answer:" it
 * mostly ends its turn at once (empty answers), so the prompt goes in as the chat template's user turn.
 */
export const PROMPT_MODE: PromptMode = 'chat';

/** The questions every LazyLLM benchmark asks, in one seeded order, with the same prompts. */
export interface QuestionSet {
  readonly tokenizer: Tokenizer;
  /** The k-th question of every run, whatever its size (an index into the NQ-open records). */
  readonly questionAt: (k: number) => number;
  readonly prompt: (questionIndex: number, documents: number) => QaPrompt;
}

export function questionSet(model: LlamaModel): QuestionSet {
  const gguf = readGguf(model.path);
  const tokenizer = Tokenizer.fromGguf(gguf);
  const template = ChatTemplate.fromGguf(gguf);
  const records = nqOpenRecords();
  const order = questionOrder(records.length);
  const prompts = new Map<string, QaPrompt>();
  return {
    tokenizer,
    questionAt: (k) => order[k],
    prompt: (q, documents) => {
      const key = `${q}/${documents}`;
      if (!prompts.has(key)) prompts.set(key, qaPrompt(records, q, documents, SEED, PROMPT_MODE, tokenizer, template));
      return prompts.get(key)!;
    },
  };
}

/** A seeded permutation of the records. */
function questionOrder(count: number): number[] {
  const rng = new SeededRandom(SEED, count);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

import { buildMultiDocQa, MultiDocQaExample, multiDocPrompt, NqRecord } from '../../libs/datasets/src';
import type { ChatTemplate, Tokenizer } from '../../libs/engine/src';

/**
 * How the prompt reaches the model: as the user turn of the chat template, or as raw text to
 * continue after "Answer:". Measured on this 135M model (see PROMPT_MODE in the bench).
 */
export type PromptMode = 'chat' | 'completion';

export interface QaPrompt {
  readonly example: MultiDocQaExample;
  readonly tokens: number[];
}

export function qaPrompt(records: readonly NqRecord[], questionIndex: number, documents: number, seed: number, mode: PromptMode, tokenizer: Tokenizer, template: ChatTemplate): QaPrompt {
  const example = buildMultiDocQa(records, questionIndex, { documents, seed });
  const text = multiDocPrompt(example);
  const tokens =
    mode === 'chat'
      ? tokenizer.encode(template.render([{ role: 'user', content: text }], { addGenerationPrompt: true }), { parseSpecial: true })
      : tokenizer.encode(text);
  return { example, tokens };
}

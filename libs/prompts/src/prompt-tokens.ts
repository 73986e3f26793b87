import type { JobInput } from '@lazyllm/contracts';
import type { ChatTemplate, Tokenizer } from '@lazyllm/engine';
import { documentQaCompletionPrompt, documentQaPrompt } from './document-qa-prompt';

/** The text the model reads for a request, and whether it contains the chat template's control tokens. */
export interface PromptText {
  readonly text: string;
  /** True for template output: its control tokens (e.g. "<|im_start|>") are parsed as such. */
  readonly templated: boolean;
}

/**
 * `prompt` with chat and `chat` need the model's chat template (ChatTemplate.render throws a GgufError
 * naming the model otherwise); `document-qa` uses it when the model has one.
 */
export function promptText(input: JobInput, template: ChatTemplate): PromptText {
  const chat = (content: string): PromptText => ({ text: template.render([{ role: 'user', content }], { addGenerationPrompt: true }), templated: true });
  switch (input.kind) {
    case 'prompt':
      return input.chat ? chat(input.prompt) : { text: input.prompt, templated: false };
    case 'chat':
      return { text: template.render(input.messages.map((m) => ({ role: m.role, content: m.content })), { addGenerationPrompt: true }), templated: true };
    case 'document-qa':
      return template.available
        ? chat(documentQaPrompt(input.documents, input.question))
        : { text: documentQaCompletionPrompt(input.documents, input.question), templated: false };
  }
}

/** Token ids of a request. Control tokens are parsed only in the template's own markup, never in raw text. */
export function promptTokens(input: JobInput, tokenizer: Tokenizer, template: ChatTemplate): number[] {
  const { text, templated } = promptText(input, template);
  return tokenizer.encode(text, { parseSpecial: templated });
}

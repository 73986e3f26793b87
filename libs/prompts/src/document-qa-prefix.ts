import type { JobInput } from '@lazyllm/contracts';
import type { ChatTemplate, Tokenizer } from '@lazyllm/engine';
import { promptText, promptTokens } from './prompt-tokens';

type DocumentQaInput = Extract<JobInput, { kind: 'document-qa' }>;

/** A document-QA prompt's tokens and how many of them come before anything the question changes. */
export interface DocumentQaTokens {
  readonly tokens: number[];
  /** tokens[0, prefixLength) are the same for every question over these documents: the prefix a cache can share. */
  readonly prefixLength: number;
}

/**
 * The prompt's tokens, split where the question begins. The split is the longest run of tokens the
 * prompt shares with the tokenization of its text up to "Question:" alone, so a token that the
 * tokenizer merges across the boundary is never counted in the prefix: every question over the same
 * documents gets the same prefix tokens, and the prompt's tokens are exactly promptTokens'.
 */
export function documentQaTokens(input: DocumentQaInput, tokenizer: Tokenizer, template: ChatTemplate): DocumentQaTokens {
  const tokens = promptTokens(input, tokenizer, template);
  const { text, templated } = promptText(input, template);
  const question = `Question: ${input.question}`;
  const cut = text.lastIndexOf(question) + 'Question:'.length;
  const head = tokenizer.encode(text.slice(0, cut), { parseSpecial: templated });
  let shared = 0;
  while (shared < head.length && shared < tokens.length - 1 && head[shared] === tokens[shared]) shared++;
  return { tokens, prefixLength: shared };
}

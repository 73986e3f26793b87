import type { MultiDocQaExample } from './multi-doc-qa';

/**
 * Names the prompt text below: benchmark caches key their results on it, so any change to the wording
 * or layout must change this string.
 */
export const MULTI_DOC_PROMPT_VERSION = 'nq-multidoc-v1';

export const MULTI_DOC_INSTRUCTION = 'Write a high-quality answer for the given question using only the provided search results (some of which might be irrelevant).';

/**
 * The "Lost in the Middle" multi-document QA prompt (../shared/data/README.md), ending where the
 * answer begins:
 *
 *     {instruction}
 *
 *     Document [1](Title: {title}) {text}
 *     Document [2](Title: {title}) {text}
 *
 *     Question: {question}
 *     Answer:
 */
export function multiDocPrompt(example: MultiDocQaExample): string {
  const documents = example.documents.map((d, i) => `Document [${i + 1}](Title: ${d.title}) ${d.text}`);
  return `${MULTI_DOC_INSTRUCTION}\n\n${documents.join('\n')}\n\nQuestion: ${example.question}\nAnswer:`;
}

import type { QaDocument } from '@lazyllm/contracts';

export const DOCUMENT_QA_INSTRUCTION = 'Answer the question using only the documents below; some of them may be irrelevant. Answer with a few words.';

/**
 * The document-QA request as one user message. Documents come first and the question last: the
 * question is the text the answer's first token attends from, so LazyLLM scores the documents against
 * it, and every request over the same documents shares the same prefix. Layout:
 *
 *     {instruction}
 *
 *     Document [1] (Title: {title}) {text}
 *
 *     Document [2] {text}                  (a document without a title)
 *
 *     Question: {question}
 */
export function documentQaPrompt(documents: readonly QaDocument[], question: string): string {
  const blocks = documents.map((d, i) => `Document [${i + 1}]${d.title ? ` (Title: ${d.title})` : ''} ${d.text}`);
  return [DOCUMENT_QA_INSTRUCTION, ...blocks, `Question: ${question}`].join('\n\n');
}

/** The same request for a model without a chat template: the text ends where the answer begins. */
export function documentQaCompletionPrompt(documents: readonly QaDocument[], question: string): string {
  return `${documentQaPrompt(documents, question)}\nAnswer:`;
}

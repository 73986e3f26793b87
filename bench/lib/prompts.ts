import { nqOpenRecords } from '../../libs/datasets/src';

/**
 * Prompts of exactly the requested token counts, made of real text: NQ-open gold passages
 * (Wikipedia) joined by blank lines and tokenized once. Every prompt is a prefix of the same token
 * sequence, so lengths differ only in how much of it they hold.
 */
export function nqPromptTokens(encode: (text: string) => number[], lengths: readonly number[]): Map<number, number[]> {
  const passages = nqOpenRecords().map((r) => r.ctxs[0].text);
  const longest = Math.max(...lengths);
  // A passage is ~100-200 tokens; doubling the count keeps the tokenizing work within twice the final text.
  for (let count = 8; ; count *= 2) {
    const tokens = encode(passages.slice(0, count).join('\n\n'));
    if (tokens.length >= longest) return new Map(lengths.map((n) => [n, tokens.slice(0, n)]));
    if (count >= passages.length) throw new Error(`all ${passages.length} NQ-open passages make only ${tokens.length} tokens; ${longest} requested`);
  }
}

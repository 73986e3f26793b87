/**
 * Answer normalization of SQuAD and of "Lost in the Middle" (Liu et al., 2023), whose metric this is:
 * lower-case, ASCII punctuation removed, the articles a/an/the removed, whitespace collapsed.
 */
export function normalizeAnswer(text: string): string {
  const noPunctuation = text.toLowerCase().replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '');
  return noPunctuation.replace(/\b(a|an|the)\b/g, ' ').split(/\s+/).filter((w) => w !== '').join(' ');
}

/** "Gold answer in output": some normalized gold answer occurs in the normalized output (as a substring, as in the source). */
export function containsGoldAnswer(output: string, answers: readonly string[]): boolean {
  const normalized = normalizeAnswer(output);
  return answers.some((a) => {
    const gold = normalizeAnswer(a);
    return gold !== '' && normalized.includes(gold);
  });
}

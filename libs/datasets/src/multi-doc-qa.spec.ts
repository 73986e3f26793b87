import { containsGoldAnswer } from './answer-match';
import { buildMultiDocQa } from './multi-doc-qa';
import { NqRecord, nqOpenRecords } from './nq-open';

const record = (i: number, answer: string, text = `passage ${i} about topic ${i}`): NqRecord => ({
  question: `question ${i}?`,
  answers: [answer],
  ctxs: [{ title: `Title ${i}`, text }],
});
const synthetic = Array.from({ length: 50 }, (_, i) => record(i, `answer${i}`));

describe('buildMultiDocQa', () => {
  it('puts the gold passage among N - 1 distinct passages of other questions', () => {
    const ex = buildMultiDocQa(synthetic, 7, { documents: 10, seed: 1 });
    expect(ex.documents).toHaveLength(10);
    expect(ex.documents[ex.goldPosition]).toEqual({ title: 'Title 7', text: 'passage 7 about topic 7' });
    expect(new Set(ex.distractorSources).size).toBe(9);
    expect(ex.distractorSources).not.toContain(7);
    const others = ex.documents.filter((_, i) => i !== ex.goldPosition);
    expect(others).toEqual(ex.distractorSources.map((j) => synthetic[j].ctxs[0]));
    expect(ex.question).toBe('question 7?');
    expect(ex.answers).toEqual(['answer7']);
  });

  it('depends only on (seed, question, N): the same inputs give the same example, another seed another', () => {
    const a = buildMultiDocQa(synthetic, 3, { documents: 20, seed: 42 });
    expect(buildMultiDocQa(synthetic, 3, { documents: 20, seed: 42 })).toEqual(a);
    expect(buildMultiDocQa(synthetic, 3, { documents: 20, seed: 43 }).distractorSources).not.toEqual(a.distractorSources);
  });

  it('spreads the gold position over all N slots across questions', () => {
    const positions = Array.from({ length: 40 }, (_, i) => buildMultiDocQa(synthetic, i, { documents: 5, seed: 9 }).goldPosition);
    expect(new Set(positions)).toEqual(new Set([0, 1, 2, 3, 4]));
  });

  it('skips a distractor that contains the answer', () => {
    // Every other record's passage mentions answer0, except record 1: the only usable distractor.
    const records = synthetic.slice(0, 12).map((r, i) => (i === 1 || i === 0 ? r : record(i, `answer${i}`, 'this one says answer0')));
    const ex = buildMultiDocQa(records, 0, { documents: 2, seed: 5 });
    expect(ex.distractorSources).toEqual([1]);
    expect(() => buildMultiDocQa(records, 0, { documents: 3, seed: 5 })).toThrow('only 1 usable distractors for question 0, 2 needed');
  });

  it('rejects a question index or a document count out of range', () => {
    expect(() => buildMultiDocQa(synthetic, 50, { documents: 3, seed: 0 })).toThrow('question 50 is outside the 50 records');
    expect(() => buildMultiDocQa(synthetic, 0, { documents: 0, seed: 0 })).toThrow('documents 0 must be an integer >= 1');
  });

  it('on NQ-open: 40 documents, the gold one the only one holding an answer', () => {
    const records = nqOpenRecords();
    for (const i of [0, 500, 1199]) {
      const ex = buildMultiDocQa(records, i, { documents: 40, seed: 0 });
      const holding = ex.documents.flatMap((d, k) => (containsGoldAnswer(`${d.title} ${d.text}`, ex.answers) ? [k] : []));
      expect(holding).toEqual([ex.goldPosition]);
    }
  });
});

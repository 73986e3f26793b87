import { MultiDocQaExample } from './multi-doc-qa';
import { multiDocPrompt } from './multi-doc-prompt';

describe('multiDocPrompt', () => {
  it("lays out the instruction, numbered documents with titles, the question and the answer cue (the README's format)", () => {
    const example: MultiDocQaExample = {
      questionIndex: 0,
      question: 'who wrote it?',
      answers: ['someone'],
      documents: [
        { title: 'First', text: 'One text.' },
        { title: 'Second', text: 'Two text.' },
      ],
      goldPosition: 1,
      distractorSources: [4],
    };
    expect(multiDocPrompt(example)).toBe(
      [
        'Write a high-quality answer for the given question using only the provided search results (some of which might be irrelevant).',
        '',
        'Document [1](Title: First) One text.',
        'Document [2](Title: Second) Two text.',
        '',
        'Question: who wrote it?',
        'Answer:',
      ].join('\n'),
    );
  });
});

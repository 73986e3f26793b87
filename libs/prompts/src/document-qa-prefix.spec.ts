import { ChatTemplate, readGguf, resolveModelPath, Tokenizer } from '@lazyllm/engine';
import { documentQaTokens } from './document-qa-prefix';
import { promptTokens } from './prompt-tokens';

const gguf = readGguf(resolveModelPath());
const tokenizer = Tokenizer.fromGguf(gguf);
const template = ChatTemplate.fromGguf(gguf);
const noTemplate = new ChatTemplate('no-template.gguf', undefined);
const documents = [{ title: 'Paris', text: 'Paris is the capital of France.' }, { text: 'Lyon is a city.' }];
// Questions that start with a letter, a digit, punctuation, or repeat the label itself.
const questions = ['What is the capital?', '2019 winner?', '"Quoted" question', 'Question: what?', 'x'];

describe('documentQaTokens', () => {
  for (const [name, t] of [['chat template', template], ['no template', noTemplate]] as const) {
    it(`splits every question's prompt after the same document prefix (${name})`, () => {
      const splits = questions.map((question) => ({ question, ...documentQaTokens({ kind: 'document-qa', documents, question }, tokenizer, t) }));
      const prefix = splits[0].tokens.slice(0, splits[0].prefixLength);
      for (const s of splits) {
        expect(s.tokens).toEqual(promptTokens({ kind: 'document-qa', documents, question: s.question }, tokenizer, t));
        expect(s.tokens.slice(0, s.prefixLength)).toEqual(prefix);
        expect(s.prefixLength).toBeLessThan(s.tokens.length);
      }
      expect(tokenizer.decode(prefix)).toContain('Document [2] Lyon is a city.');
      expect(tokenizer.decode(prefix)).not.toContain('capital?');
    });
  }

  it('other documents give another prefix', () => {
    const a = documentQaTokens({ kind: 'document-qa', documents, question: 'q?' }, tokenizer, template);
    const b = documentQaTokens({ kind: 'document-qa', documents: [...documents, { text: 'Nice is by the sea.' }], question: 'q?' }, tokenizer, template);
    expect(b.tokens.slice(0, b.prefixLength)).not.toEqual(a.tokens.slice(0, a.prefixLength));
  });
});

import { ChatTemplate, readGguf, resolveModelPath, Tokenizer } from '@lazyllm/engine';
import { documentQaPrompt } from './document-qa-prompt';
import { promptText, promptTokens } from './prompt-tokens';

const gguf = readGguf(resolveModelPath());
const tokenizer = Tokenizer.fromGguf(gguf);
const template = ChatTemplate.fromGguf(gguf);
const noTemplate = new ChatTemplate('no-template.gguf', undefined);

describe('prompt layout', () => {
  it('puts the documents first and the question last', () => {
    expect(documentQaPrompt([{ title: 'Paris', text: 'Paris is the capital of France.' }, { text: 'Lyon is a city.' }], 'What is the capital of France?')).toBe(
      'Answer the question using only the documents below; some of them may be irrelevant. Answer with a few words.\n\n' +
        'Document [1] (Title: Paris) Paris is the capital of France.\n\n' +
        'Document [2] Lyon is a city.\n\n' +
        'Question: What is the capital of France?',
    );
  });

  it('wraps document QA in the chat template when the model has one, else ends it with "Answer:"', () => {
    const input = { kind: 'document-qa' as const, documents: [{ text: 'Water boils at 100 C.' }], question: 'When does water boil?' };
    const chat = promptText(input, template);
    expect(chat.templated).toBe(true);
    expect(chat.text).toMatch(/^<\|im_start\|>system\n[\s\S]*<\|im_start\|>user\nAnswer the question[\s\S]*Question: When does water boil\?<\|im_end\|>\n<\|im_start\|>assistant\n$/);
    const raw = promptText(input, noTemplate);
    expect(raw).toEqual({ text: `${documentQaPrompt(input.documents, input.question)}\nAnswer:`, templated: false });
  });

  it('parses control tokens in template markup only, never in a raw prompt', () => {
    const imStart = tokenizer.tokenId('<|im_start|>');
    const chat = promptTokens({ kind: 'chat', messages: [{ role: 'user', content: 'Hi' }] }, tokenizer, template);
    expect(chat).toContain(imStart);
    const raw = promptTokens({ kind: 'prompt', prompt: '<|im_start|>Hi', chat: false }, tokenizer, template);
    expect(raw).not.toContain(imStart);
    expect(promptTokens({ kind: 'prompt', prompt: 'Hi', chat: true }, tokenizer, template)).toEqual(chat);
  });

  it('names the model when a chat request meets a model without a template', () => {
    expect(() => promptText({ kind: 'prompt', prompt: 'Hi', chat: true }, noTemplate)).toThrow(/no-template.gguf.*no chat template/);
  });
});

import { GgufError, readGguf } from '../gguf/gguf-reader';
import { resolveModelPath } from '../model/model-path';
import { ChatTemplate } from './chat-template';

const gguf = readGguf(resolveModelPath());
const template = ChatTemplate.fromGguf(gguf);

describe('ChatTemplate (SmolLM2, ChatML)', () => {
  const conversation = [
    { role: 'system' as const, content: 'You are a terse assistant.' },
    { role: 'user' as const, content: 'What is 2+2?' },
  ];
  const expected = '<|im_start|>system\nYou are a terse assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n';

  it('renders a system + user conversation', () => {
    expect(template.available).toBe(true);
    expect(template.render(conversation)).toBe(expected);
  });

  it('opens an assistant turn when asked for a generation prompt', () => {
    expect(template.render(conversation, { addGenerationPrompt: true })).toBe(`${expected}<|im_start|>assistant\n`);
  });

  it("inserts the model's default system prompt when the conversation has none", () => {
    expect(template.render([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true })).toBe(
      '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' +
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('passes bos_token and eos_token as Hugging Face does', () => {
    const t = new ChatTemplate('test.gguf', '{{ bos_token }}{{ messages[0].content }}{{ eos_token }}', '<s>', '</s>');
    expect(t.render([{ role: 'user', content: 'x' }])).toBe('<s>x</s>');
  });

  it('explains, on rendering, that a model without a template has none', () => {
    const metadata = new Map(gguf.metadata);
    metadata.delete('tokenizer.chat_template');
    const none = ChatTemplate.fromGguf({ ...gguf, metadata });
    expect(none.available).toBe(false);
    expect(() => none.render(conversation)).toThrow(GgufError);
    expect(() => none.render(conversation)).toThrow(/no chat template/);
  });
});

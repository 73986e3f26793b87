/**
 * The tokenizer must produce exactly llama.cpp's token ids: the engine is compared against llama.cpp
 * downstream, and any tokenization difference would masquerade as a model difference.
 */
import { LlamaCppReference } from '../../../../tests/reference/llama-cpp';
import { readGguf } from '../gguf/gguf-reader';
import { resolveModelPath } from '../model/model-path';
import { Tokenizer } from './bpe-tokenizer';
import { ChatTemplate } from './chat-template';
import { LOSSY_TEXTS, nqPassages, nqQuestions, ROUND_TRIP_TEXTS } from './tokenizer-test-texts';

const modelPath = resolveModelPath();
const gguf = readGguf(modelPath);
const tokenizer = Tokenizer.fromGguf(gguf);
const VARIED_TEXTS = [...ROUND_TRIP_TEXTS, ...LOSSY_TEXTS];

describe('agreement with llama.cpp', () => {
  let llama: LlamaCppReference;

  beforeAll(async () => {
    // Tokenization only: a small context and one thread keep the reference process light.
    llama = await LlamaCppReference.start({ modelPath, threads: 1, contextSize: 512, forwardStderr: false });
  });

  afterAll(async () => {
    await llama?.close();
  });

  const expectSameTokens = async (text: string, parseSpecial: boolean) => {
    const { tokens } = await llama.tokenize(text, parseSpecial);
    expect(tokenizer.encode(text, { parseSpecial, addBos: false })).toEqual(tokens);
  };

  it.each(VARIED_TEXTS.map((t) => [JSON.stringify(t), t]))('tokenizes %s', async (_, text) => {
    await expectSameTokens(text, false);
    await expectSameTokens(text, true);
  });

  it.each(nqPassages(5, 20).map((p, i) => [i, p]))('tokenizes long NQ-open passage %i', async (_, passage) => {
    await expectSameTokens(passage, false);
  });

  it('tokenizes 100 NQ-open questions', async () => {
    for (const question of nqQuestions(100)) await expectSameTokens(question, false);
  });

  it('tokenizes a rendered chat prompt with special tokens', async () => {
    const prompt = ChatTemplate.fromGguf(gguf).render(
      [
        { role: 'system', content: 'You answer in one word.' },
        { role: 'user', content: 'Capital of France? 🇫🇷' },
      ],
      { addGenerationPrompt: true },
    );
    await expectSameTokens(prompt, true);
  });

  it('detokenizes like llama.cpp, including broken UTF-8 from arbitrary token sequences', async () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 50; n++) {
      const ids = Array.from({ length: 1 + Math.floor(random() * 16) }, () => Math.floor(random() * tokenizer.vocabSize));
      const { text } = await llama.detokenize(ids, true);
      expect(tokenizer.decode(ids)).toBe(text);
    }
  });
});

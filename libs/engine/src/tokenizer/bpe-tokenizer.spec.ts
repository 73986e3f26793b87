import { GgufError, GgufFile, GgufValue, readGguf } from '../gguf/gguf-reader';
import { resolveModelPath } from '../model/model-path';
import { Tokenizer } from './bpe-tokenizer';
import { LOSSY_TEXTS, nqPassages, ROUND_TRIP_TEXTS } from './tokenizer-test-texts';

const gguf = readGguf(resolveModelPath());
const tokenizer = Tokenizer.fromGguf(gguf);

function withMetadata(f: GgufFile, changes: Record<string, GgufValue | undefined>): GgufFile {
  const metadata = new Map(f.metadata);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) metadata.delete(key);
    else metadata.set(key, value);
  }
  return { ...f, metadata };
}

/** True when `s` contains a replacement character or half of a surrogate pair, i.e. broken text. */
function isBroken(s: string): boolean {
  return /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

describe('Tokenizer (SmolLM2 vocabulary)', () => {
  it('reads the vocabulary and special ids from the GGUF', () => {
    expect(tokenizer.vocabSize).toBe(49152);
    expect(tokenizer.bosId).toBe(1);
    expect(tokenizer.eosId).toBe(2);
    expect(tokenizer.tokenId('<|im_end|>')).toBe(2);
    expect(tokenizer.tokenText(1)).toBe('<|im_start|>');
    // Vocabulary entries use the byte-level spelling: a leading space is "Ġ".
    expect(tokenizer.tokenText(tokenizer.tokenId('Ġthe')!)).toBe('Ġthe');
    expect(tokenizer.tokenId(' the')).toBeUndefined();
  });

  it('reports the end-of-generation tokens llama.cpp uses', () => {
    // <|endoftext|>, <|im_end|> (EOS) and <reponame>, which llama.cpp treats as a fill-in-the-middle stop token.
    expect(tokenizer.endOfGenerationIds).toEqual([0, 2, 4]);
  });

  it.each(ROUND_TRIP_TEXTS.map((t) => [JSON.stringify(t), t]))('round-trips %s', (_, text) => {
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it('round-trips long real text', () => {
    for (const passage of nqPassages(5, 20)) expect(tokenizer.decode(tokenizer.encode(passage))).toBe(passage);
  });

  it('loses only what UTF-8 or the vocabulary cannot represent', () => {
    const [loneSurrogate, missingBytes] = LOSSY_TEXTS;
    expect(tokenizer.decode(tokenizer.encode(loneSurrogate))).toBe('lone surrogate \uFFFD here');
    expect(tokenizer.decode(tokenizer.encode(missingBytes))).toBe('\u001c\u001e\u001f separators');
  });

  it('splits every digit into its own token (smollm pre-tokenizer)', () => {
    const ids = tokenizer.encode('year 2024');
    expect(ids.slice(-4).map((id) => tokenizer.decode([id]))).toEqual(['2', '0', '2', '4']);
  });

  describe('special tokens', () => {
    const chat = '<|im_start|>user\nHi<|im_end|>';

    it('parses control tokens written in the text when parseSpecial is set', () => {
      expect(tokenizer.encode(chat, { parseSpecial: true })).toEqual([1, ...tokenizer.encode('user\nHi'), 2]);
    });

    it('treats them as plain text by default', () => {
      const ids = tokenizer.encode(chat);
      expect(ids).not.toContain(1);
      expect(ids).not.toContain(2);
      expect(tokenizer.decode(ids)).toBe(chat);
    });

    it('decodes control tokens as their text unless skipSpecial is set', () => {
      const ids = tokenizer.encode(chat, { parseSpecial: true });
      expect(tokenizer.decode(ids)).toBe(chat);
      expect(tokenizer.decode(ids, { skipSpecial: true })).toBe('user\nHi');
    });

    it('adds BOS only when asked, since SmolLM2 sets add_bos_token=false', () => {
      expect(tokenizer.encode('Hi')[0]).not.toBe(1);
      expect(tokenizer.encode('Hi', { addBos: true })).toEqual([1, ...tokenizer.encode('Hi')]);
    });
  });

  describe('stream decoder', () => {
    const texts = ['emoji: 😀👍🏽🎉 family 👨‍👩‍👧‍👦 flags 🇺🇸🇯🇵', 'CJK: 你好，世界！日本語のテキスト。한국어 텍스트', '🤖🤖🤖 and ½ ∑ Ⅻ'];

    it.each(texts)('streams %s as complete characters only, equal to decode()', (text) => {
      const ids = tokenizer.encode(text);
      const stream = tokenizer.createStreamDecoder();
      const chunks = ids.map((id) => stream.push(id));
      chunks.push(stream.flush());
      for (const chunk of chunks) expect(isBroken(chunk)).toBe(false);
      expect(chunks.join('')).toBe(tokenizer.decode(ids));
      // Multi-byte characters really are split across tokens here, so something was held back.
      expect(chunks.slice(0, -1).some((c) => c === '')).toBe(true);
    });

    it('streams special tokens like decode(), honouring skipSpecial', () => {
      const ids = tokenizer.encode('<|im_start|>assistant\n你好<|im_end|>', { parseSpecial: true });
      const stream = tokenizer.createStreamDecoder({ skipSpecial: true });
      const text = ids.map((id) => stream.push(id)).join('') + stream.flush();
      expect(text).toBe(tokenizer.decode(ids, { skipSpecial: true }));
      expect(text).toBe('assistant\n你好');
    });

    it('flushes an unfinished character as U+FFFD and can then be reused', () => {
      const ids = tokenizer.encode('🤖');
      expect(ids.length).toBeGreaterThan(1);
      const stream = tokenizer.createStreamDecoder();
      expect(stream.push(ids[0])).toBe('');
      expect(stream.flush()).toBe('\uFFFD');
      expect(ids.map((id) => stream.push(id)).join('') + stream.flush()).toBe('🤖');
    });
  });

  it('encodes a 5k-token document in well under a second', () => {
    const [document] = nqPassages(1, 60);
    const cold = Tokenizer.fromGguf(gguf); // empty word cache: the first-prompt cost
    const start = performance.now();
    const ids = cold.encode(document);
    const ms = performance.now() - start;
    expect(ids.length).toBeGreaterThanOrEqual(5000);
    expect(ms).toBeLessThan(500);
  });

  it('rejects ids outside the vocabulary', () => {
    expect(() => tokenizer.decode([49152])).toThrow(RangeError);
    expect(() => tokenizer.tokenText(-1)).toThrow(RangeError);
  });

  describe('unsupported GGUF tokenizers', () => {
    it('refuses SentencePiece and other tokenizer models, naming the type', () => {
      const f = withMetadata(gguf, { 'tokenizer.ggml.model': 'llama' });
      expect(() => Tokenizer.fromGguf(f)).toThrow(GgufError);
      expect(() => Tokenizer.fromGguf(f)).toThrow(/"llama".*SentencePiece/);
    });

    it('refuses unknown pre-tokenizer types, naming the type', () => {
      const f = withMetadata(gguf, { 'tokenizer.ggml.pre': 'qwen2' });
      expect(() => Tokenizer.fromGguf(f)).toThrow(/unknown pre-tokenizer type "qwen2"/);
    });

    it('falls back to llama.cpp\'s "default" pre-tokenizer when the GGUF names none', () => {
      const f = withMetadata(gguf, { 'tokenizer.ggml.pre': undefined });
      const ids = Tokenizer.fromGguf(f).encode('Hello world');
      expect(tokenizer.decode(ids)).toBe('Hello world');
    });
  });
});

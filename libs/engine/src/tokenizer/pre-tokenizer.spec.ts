import { preTokenizerFor } from './pre-tokenizer';

function split(type: string, text: string): string[] {
  const pre = preTokenizerFor(type);
  if (!pre) throw new Error(`no pre-tokenizer ${type}`);
  return pre.split(text);
}

describe('pre-tokenizers', () => {
  it('gpt2: words keep their leading space, and a whitespace run leaves one space for the next word', () => {
    expect(split('gpt2', "Hello  world's 42!!\n\n")).toEqual(['Hello', ' ', ' world', "'s", ' 42', '!!', '\n\n']);
  });

  it('smollm: digits are split first, so whitespace before a digit is a word of its own', () => {
    // The digit stage cuts "abc  " off before the GPT-2 regex runs, so its lookahead cannot see the "1".
    expect(split('smollm', 'abc  12')).toEqual(['abc', '  ', '1', '2']);
    expect(split('gpt2', 'abc  12')).toEqual(['abc', ' ', ' 12']);
  });

  it('llama3: numbers in groups of three, newline runs together, punctuation may lead a word', () => {
    expect(split('llama3', "Hello 12345 world's\n\n  x")).toEqual(['Hello', ' ', '123', '45', ' world', "'s", '\n\n', ' ', ' x']);
    expect(split('llama-bpe', '(hi)')).toEqual(['(hi', ')']);
  });

  it('uses llama.cpp\'s notion of whitespace (Unicode White_Space), not JavaScript\'s', () => {
    // U+0085 is White_Space but not JS \s; U+FEFF is JS \s but not White_Space.
    expect(split('gpt2', 'a\u0085\u0085b')).toEqual(['a', '\u0085', '\u0085', 'b']);
    expect(split('gpt2', 'a \ufeffb')).toEqual(['a', ' \ufeff', 'b']);
  });

  it('splits nothing out of empty text and knows only the supported types', () => {
    expect(split('smollm', '')).toEqual([]);
    expect(preTokenizerFor('qwen2')).toBeUndefined();
  });
});

/**
 * A small byte-level BPE vocabulary in the layout of SmolLM2's: special tokens first, then the 256
 * GPT-2 byte tokens, then merged tokens, so any text can be tokenized and chat prompts rendered.
 */

export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;
export const ENDOFTEXT_ID = 0;
export const IM_START_ID = 1;
export const IM_END_ID = 2;

/** llama.cpp's token types: normal text and control (special) tokens. */
const NORMAL = 1;
const CONTROL = 3;

/** Pairs in merge-rank order; each merge's result is a vocabulary token ("Ġ" is the byte-level space). */
const MERGES = [
  'Ġ t', 'h e', 'Ġ a', 'i n', 'r e', 'o n', 'Ġt he', 'e r', 'Ġ s', 'a t', 'Ġ w', 'Ġ o', 'e n', 'Ġ c', 'i t',
  'i s', 'a n', 'o r', 'e s', 'Ġ b', 'e d', 'Ġ f', 'in g', 'Ġ p', 'o u', 'Ġa n', 'a l', 'a r', 'Ġt o', 'Ġ m',
  'Ġo f', 'Ġ in', 'Ġ d', 'Ġ h', 'Ġan d', 'l e', 'Ġt h', 'Ġ l', 'l l', 'Ġ n', 'Ġ is',
];

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** GPT-2's bytes_to_unicode: printable Latin-1 bytes keep their code point, the others move to U+0100 upwards. */
function byteAlphabet(): string[] {
  const keeps = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let shifted = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCharCode(keeps(b) ? b : 256 + shifted++));
}

export interface TinyVocabulary {
  readonly tokens: readonly string[];
  readonly tokenTypes: readonly number[];
  readonly merges: readonly string[];
}

export function tinyVocabulary(): TinyVocabulary {
  const merged = MERGES.map((m) => m.replace(' ', ''));
  const tokens = [...SPECIAL_TOKENS, ...byteAlphabet(), ...merged];
  const tokenTypes = tokens.map((_, id) => (id < SPECIAL_TOKENS.length ? CONTROL : NORMAL));
  return { tokens, tokenTypes, merges: MERGES };
}

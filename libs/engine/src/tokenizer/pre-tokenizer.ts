/**
 * Pre-tokenization: splitting text into words before BPE, following llama.cpp's llama-vocab.cpp.
 * A pre-tokenizer is a list of regex stages; each stage splits every piece produced by the previous one,
 * keeping both the matches and the text between them (llama.cpp's unicode_regex_split semantics).
 * Stages matter: a lookahead at the end of a piece cannot see into the next piece.
 */

// llama.cpp's \s is the Unicode White_Space property; JS's \s differs (adds U+FEFF, lacks U+0085).
const WS = '\\p{White_Space}';
const NOT_WS = `[^${WS}]`;

/** GPT-2's regex, with the trailing `\s+` that llama.cpp's hand-written matcher applies implicitly. */
const GPT2_WORDS = `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|${WS}+(?!${NOT_WS})|${WS}+`;

/** Llama 3's regex (case-insensitive contractions, numbers in groups of up to three, newline runs kept together). */
const LLAMA3_WORDS =
  `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}` +
  `| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*|${WS}*[\\r\\n]+|${WS}+(?!${NOT_WS})|${WS}+`;

export interface PreTokenizer {
  /** The tokenizer.ggml.pre value this was built for. */
  readonly name: string;
  /** The words BPE runs on, in order; their concatenation is the input. */
  split(text: string): string[];
  /** llama.cpp's ignore_merges: a word that is itself a vocabulary entry is taken whole, without merging. */
  readonly ignoreMerges: boolean;
  /** The add-BOS default llama.cpp assumes for this type when the GGUF does not say. */
  readonly addBosByDefault: boolean;
}

interface PreTokenizerSpec {
  stages: string[];
  ignoreMerges?: boolean;
  addBosByDefault?: boolean;
}

const SPECS: Record<string, PreTokenizerSpec> = {
  // SmolLM (like StarCoder): every digit is its own word, then the GPT-2 regex.
  smollm: { stages: ['\\p{N}', GPT2_WORDS] },
  gpt2: { stages: [GPT2_WORDS] },
  llama3: { stages: [LLAMA3_WORDS], ignoreMerges: true, addBosByDefault: true },
  default: { stages: ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2_WORDS, '\\p{N}+', '[0-9][0-9][0-9]'] },
};

/** Spellings of tokenizer.ggml.pre that llama.cpp treats as one of the types above. */
const ALIASES: Record<string, string> = {
  'gpt-2': 'gpt2',
  'llama-v3': 'llama3',
  'llama-bpe': 'llama3',
};

export const SUPPORTED_PRE_TOKENIZERS: readonly string[] = [...Object.keys(SPECS), ...Object.keys(ALIASES)];

/** The pre-tokenizer for a tokenizer.ggml.pre value, or undefined if this engine does not know it. */
export function preTokenizerFor(name: string): PreTokenizer | undefined {
  const spec = SPECS[ALIASES[name] ?? name];
  if (!spec) return undefined;
  const stages = spec.stages.map((source) => new RegExp(source, 'gu'));
  return {
    name,
    ignoreMerges: spec.ignoreMerges ?? false,
    addBosByDefault: spec.addBosByDefault ?? false,
    split(text: string): string[] {
      let pieces = text.length > 0 ? [text] : [];
      for (const stage of stages) pieces = splitEach(pieces, stage);
      return pieces;
    },
  };
}

function splitEach(pieces: string[], stage: RegExp): string[] {
  const out: string[] = [];
  for (const piece of pieces) {
    let end = 0;
    for (const m of piece.matchAll(stage)) {
      if (m.index > end) out.push(piece.slice(end, m.index));
      out.push(m[0]);
      end = m.index + m[0].length;
    }
    if (end < piece.length) out.push(piece.slice(end));
  }
  return out;
}

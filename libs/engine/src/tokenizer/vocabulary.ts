import { GgufError, GgufFile, metaArray } from '../gguf/gguf-reader';

/** tokenizer.ggml.token_type values (llama.cpp's llama_token_type). */
export enum TokenType {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
}

export interface Vocabulary {
  readonly texts: readonly string[];
  readonly types: readonly TokenType[];
  readonly ids: ReadonlyMap<string, number>;
  /** llama.cpp's end-of-generation set, ascending. */
  readonly endOfGenerationIds: readonly number[];
}

// Token texts llama.cpp recognises by name (llama-vocab.cpp, "auto-detect special tokens by text").
// GGUF converters do not record these roles, so llama.cpp infers them and so must we to agree with it.
const END_OF_GENERATION_TEXTS = [
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<|return|>', '<|call|>', '<|flush|>', '<|calls|>', '<end_of_turn>',
  '<|endoftext|>', '</s>', '<|eom_id|>', '<EOT>', '_<EOT>', '[EOT]', '[EOS]', '<|end_of_text|>', '<end_of_utterance>',
  '<eos>', '<turn|>', '<|tool_response>', '<｜end▁of▁sentence｜>', '[e~[',
];
/** Fill-in-the-middle pad/repo/file-separator tokens: llama.cpp also stops generation on these. */
const FIM_STOP_TEXTS = [
  '<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]',
  '<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>',
  '<|file_sep|>',
];
const FIM_OTHER_TEXTS = [
  '<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>',
  '<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>',
  '<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>',
];
/** Ids whose role the GGUF may state explicitly; all of them end generation. */
const END_OF_GENERATION_KEYS = ['eos', 'eot', 'eom', 'fim_pad', 'fim_rep', 'fim_sep'].map((k) => `tokenizer.ggml.${k}_token_id`);

export function readVocabulary(f: GgufFile): Vocabulary {
  const texts = metaArray<string>(f, 'tokenizer.ggml.tokens');
  if (!texts || texts.length === 0) throw new GgufError(f.path, 'missing metadata "tokenizer.ggml.tokens"');
  const rawTypes = metaArray<number>(f, 'tokenizer.ggml.token_type');
  if (rawTypes && rawTypes.length < texts.length) {
    throw new GgufError(f.path, `tokenizer.ggml.token_type has ${rawTypes.length} entries for ${texts.length} tokens`);
  }
  const types: TokenType[] = texts.map((_, i) => (rawTypes ? toTokenType(rawTypes[i]) : TokenType.Normal));

  const ids = new Map<string, number>();
  texts.forEach((text, id) => {
    if (ids.has(text)) throw new GgufError(f.path, `duplicate token ${JSON.stringify(text)} (ids ${ids.get(text)} and ${id})`);
    ids.set(text, id);
  });

  const eog = new Set<number>();
  for (const text of [...END_OF_GENERATION_TEXTS, ...FIM_STOP_TEXTS]) {
    const id = ids.get(text);
    if (id !== undefined) eog.add(id);
  }
  for (const key of END_OF_GENERATION_KEYS) {
    const id = optionalTokenId(f, key, texts.length);
    if (id !== undefined) eog.add(id);
  }
  // llama.cpp treats every recognised role token as control even if the converter marked it normal.
  for (const text of [...END_OF_GENERATION_TEXTS, ...FIM_STOP_TEXTS, ...FIM_OTHER_TEXTS]) {
    const id = ids.get(text);
    if (id !== undefined) types[id] = TokenType.Control;
  }

  return { texts, types, ids, endOfGenerationIds: [...eog].sort((a, b) => a - b) };
}

/** A token id from metadata, or undefined when absent; an id outside the vocabulary is a corrupt file. */
export function optionalTokenId(f: GgufFile, key: string, vocabSize: number): number | undefined {
  const v = f.metadata.get(key);
  if (v === undefined) return undefined;
  const id = typeof v === 'bigint' ? Number(v) : v;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new GgufError(f.path, `metadata "${key}" = ${String(v)} is not a token id (vocabulary has ${vocabSize} tokens)`);
  }
  return id;
}

function toTokenType(raw: number): TokenType {
  return raw >= TokenType.Normal && raw <= TokenType.Byte ? raw : TokenType.Undefined;
}

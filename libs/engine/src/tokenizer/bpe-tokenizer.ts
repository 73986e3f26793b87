import { GgufError, GgufFile, metaArray, metaBool, metaString } from '../gguf/gguf-reader';
import { BpeMerges } from './bpe-merges';
import { fromByteLevel, toByteLevel } from './byte-level';
import { PreTokenizer, preTokenizerFor, SUPPORTED_PRE_TOKENIZERS } from './pre-tokenizer';
import { SpecialTokenSplitter } from './special-token-splitter';
import { optionalTokenId, readVocabulary, TokenType, Vocabulary } from './vocabulary';

export interface EncodeOptions {
  /** Turn control tokens written literally in the text (e.g. "<|im_start|>") into their ids; llama.cpp's `special`. */
  parseSpecial?: boolean;
  /** Prepend BOS; defaults to the model's tokenizer.ggml.add_bos_token. */
  addBos?: boolean;
}

export interface DecodeOptions {
  /** Render control and unknown tokens as nothing instead of their text. */
  skipSpecial?: boolean;
}

/** Incremental detokenizer: text is released only once its UTF-8 sequences are complete. */
export interface StreamDecoder {
  /** The text that became complete with this token (possibly empty). */
  push(id: number): string;
  /** Whatever is still held back (an incomplete sequence comes out as U+FFFD); the decoder can then be reused. */
  flush(): string;
}

/** Words seen in typical prompts repeat a lot; the bound only protects against unbounded distinct input. */
const WORD_CACHE_LIMIT = 100_000;
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const utf8 = new TextEncoder();

/** Byte-level BPE tokenizer (GPT-2 style) built from GGUF metadata, token-for-token compatible with llama.cpp. */
export class Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number;
  /** Tokens that end generation: EOS plus end-of-turn style tokens, as llama.cpp determines them. */
  readonly endOfGenerationIds: number[];

  private readonly wordCache = new Map<string, number[]>();
  private readonly pieces: (Uint8Array | undefined)[];
  private readonly specialSplitter: SpecialTokenSplitter;
  private readonly userDefinedSplitter: SpecialTokenSplitter;

  private constructor(
    private readonly vocab: Vocabulary,
    private readonly merges: BpeMerges,
    private readonly pre: PreTokenizer,
    private readonly addBosByDefault: boolean,
    bosId: number | undefined,
    eosId: number,
  ) {
    this.vocabSize = vocab.texts.length;
    this.bosId = bosId;
    this.eosId = eosId;
    this.endOfGenerationIds = [...vocab.endOfGenerationIds];
    this.pieces = new Array(this.vocabSize);
    const tokensOf = (wanted: TokenType[]) =>
      vocab.texts.flatMap((text, id) => (wanted.includes(vocab.types[id]) ? [{ id, text }] : []));
    this.specialSplitter = new SpecialTokenSplitter(tokensOf([TokenType.Control, TokenType.UserDefined, TokenType.Unknown]));
    // As in llama.cpp (and HF tokenizers), user-defined tokens are matched even when special parsing is off.
    this.userDefinedSplitter = new SpecialTokenSplitter(tokensOf([TokenType.UserDefined]));
  }

  static fromGguf(f: GgufFile): Tokenizer {
    const model = metaString(f, 'tokenizer.ggml.model');
    if (model !== 'gpt2') {
      throw new GgufError(
        f.path,
        `tokenizer model "${model}" is not supported: only byte-level BPE ("gpt2") is implemented (SentencePiece "llama" and others are not yet)`,
      );
    }
    // llama.cpp falls back to its "default" pre-tokenizer when the GGUF predates tokenizer.ggml.pre.
    const preName = metaString(f, 'tokenizer.ggml.pre', '') || 'default';
    const pre = preTokenizerFor(preName);
    if (!pre) {
      throw new GgufError(f.path, `unknown pre-tokenizer type "${preName}" (tokenizer.ggml.pre); supported: ${SUPPORTED_PRE_TOKENIZERS.join(', ')}`);
    }
    const merges = metaArray<string>(f, 'tokenizer.ggml.merges');
    if (!merges) throw new GgufError(f.path, 'missing metadata "tokenizer.ggml.merges" (required for BPE)');

    const vocab = readVocabulary(f);
    const n = vocab.texts.length;
    const bosId = optionalTokenId(f, 'tokenizer.ggml.bos_token_id', n);
    const eosId = optionalTokenId(f, 'tokenizer.ggml.eos_token_id', n);
    if (eosId === undefined) throw new GgufError(f.path, 'missing metadata "tokenizer.ggml.eos_token_id"');
    const addBos = metaBool(f, 'tokenizer.ggml.add_bos_token', pre.addBosByDefault);
    if (addBos && bosId === undefined) throw new GgufError(f.path, 'tokenizer.ggml.add_bos_token is true but there is no bos_token_id');
    return new Tokenizer(vocab, new BpeMerges(merges), pre, addBos, bosId, eosId);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if (opts.addBos ?? this.addBosByDefault) {
      if (this.bosId === undefined) throw new Error('this model has no BOS token');
      out.push(this.bosId);
    }
    const splitter = opts.parseSpecial ? this.specialSplitter : this.userDefinedSplitter;
    for (const fragment of splitter.split(text)) {
      if ('id' in fragment) {
        out.push(fragment.id);
        continue;
      }
      for (const word of this.pre.split(fragment.text)) {
        for (const id of this.encodeWord(word)) out.push(id);
      }
    }
    return out;
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    const parts = ids.map((id) => this.pieceBytes(id, opts.skipSpecial ?? false));
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(Buffer.concat(parts));
  }

  createStreamDecoder(opts: DecodeOptions = {}): StreamDecoder {
    // TextDecoder's streaming mode holds back exactly the incomplete trailing sequence, and replaces
    // invalid bytes the same way a one-shot decode does, so streamed text always equals decode().
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const skipSpecial = opts.skipSpecial ?? false;
    return {
      push: (id) => decoder.decode(this.pieceBytes(id, skipSpecial), { stream: true }),
      flush: () => decoder.decode(),
    };
  }

  /** The id of a vocabulary entry, spelled as in the vocabulary (byte-level, e.g. "Ġhello"). */
  tokenId(text: string): number | undefined {
    return this.vocab.ids.get(text);
  }

  /** The vocabulary entry for `id`, as stored (byte-level spelling); see decode() for the text it stands for. */
  tokenText(id: number): string {
    this.checkId(id);
    return this.vocab.texts[id];
  }

  private encodeWord(word: string): number[] {
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    const symbols = toByteLevel(word);
    const whole = this.pre.ignoreMerges ? this.vocab.ids.get(symbols) : undefined;
    const ids = whole !== undefined ? [whole] : this.merges.apply(symbols).flatMap((s) => this.symbolIds(s));
    if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
    this.wordCache.set(word, ids);
    return ids;
  }

  /** A merged symbol is normally a vocabulary entry; if not, llama.cpp falls back to its single characters. */
  private symbolIds(symbol: string): number[] {
    const id = this.vocab.ids.get(symbol);
    if (id !== undefined) return [id];
    return Array.from(symbol).flatMap((c) => {
      const charId = this.vocab.ids.get(c);
      return charId === undefined ? [] : [charId];
    });
  }

  /** The bytes a token renders to, following llama.cpp's token_to_piece. */
  private pieceBytes(id: number, skipSpecial: boolean): Uint8Array {
    this.checkId(id);
    const type = this.vocab.types[id];
    if (skipSpecial && (type === TokenType.Control || type === TokenType.Unknown)) return new Uint8Array(0);
    let piece = this.pieces[id];
    if (!piece) {
      piece = renderToken(this.vocab.texts[id], type);
      this.pieces[id] = piece;
    }
    return piece;
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    }
  }
}

function renderToken(text: string, type: TokenType): Uint8Array {
  switch (type) {
    case TokenType.Normal:
      return fromByteLevel(text);
    case TokenType.Control:
    case TokenType.Unknown:
    case TokenType.UserDefined:
      return utf8.encode(text);
    case TokenType.Byte: {
      const hex = BYTE_TOKEN.exec(text);
      return hex ? Uint8Array.of(parseInt(hex[1], 16)) : new Uint8Array(0);
    }
    default:
      // Unused and undefined tokens render as nothing, as in llama.cpp.
      return new Uint8Array(0);
  }
}

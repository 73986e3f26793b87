import { writeFileSync } from 'node:fs';
import { GgmlType } from '@lazyllm/engine/gguf/ggml-types';
import { encodeTensor, WritableType } from './ggml-quantize';
import { encodeGguf, EncodedGguf, GgufDocument, meta, MetaValue, TensorEntry } from './gguf-writer';
import { SeededRandom } from './seeded-random';
import { CHATML_TEMPLATE, ENDOFTEXT_ID, IM_END_ID, IM_START_ID, tinyVocabulary } from './tiny-vocabulary';

/** The tiny model's architecture: small enough for a plain-JS reference, with GQA and several layers to prune. */
export const TINY_LLAMA = {
  layerCount: 4,
  hiddenSize: 64,
  headCount: 4,
  kvHeadCount: 2,
  headDim: 16,
  intermediateSize: 128,
  contextLength: 256,
  ropeTheta: 10000,
  rmsEpsilon: 1e-5,
  vocabSize: tinyVocabulary().tokens.length,
} as const;

/** Ways to spoil the file, one per check a GGUF reader must make. */
export type TinyCorruption =
  | { readonly kind: 'truncated'; readonly where: 'header' | 'tensor-data' }
  | { readonly kind: 'bad-magic' }
  | { readonly kind: 'bad-version'; readonly version: number }
  | { readonly kind: 'tensor-out-of-bounds'; readonly tensor: string }
  | { readonly kind: 'misaligned-tensor'; readonly tensor: string }
  | { readonly kind: 'unknown-tensor-type'; readonly tensor: string; readonly typeCode: number };

export interface TinyLlamaOptions {
  /** Seed of the weights; the same seed always writes the same bytes. */
  readonly seed?: number;
  /** Type of the decoder layers' projection matrices. */
  readonly weightType?: WritableType;
  readonly embeddingType?: WritableType;
  readonly normType?: GgmlType.F32 | GgmlType.F16;
  /** Larger than the default 256 lets a prompt reach the engine's wide-input (float activation) layer variant. */
  readonly contextLength?: number;
  readonly alignment?: number;
  readonly corruption?: TinyCorruption;
}

export interface TinyLlamaFile {
  readonly path: string;
  readonly layout: EncodedGguf;
}

/**
 * Standard deviations of the random weights. Norm gains are ~1, and the residual stream stays O(1):
 * embeddings 0.4, attention adds ~0.6 and the MLP ~1 per layer, so each block matters and greedy
 * continuations vary instead of echoing the embedding of the current token (which tied embeddings
 * favour). Q/K are large enough that attention scores spread over ~1.5 logits: with near-uniform
 * attention every token would be about equally important and LazyLLM's choices would hang on
 * rounding noise. The tied output head gives logits with std ~3.
 */
const STD = { embedding: 0.4, norm: 0.1, qk: 0.15, v: 0.125, o: 0.15, gateUp: 0.125, down: 0.15 } as const;

/** llama_ftype of the file as a whole, as llama.cpp labels it. */
const FILE_TYPE: Record<WritableType, number> = {
  [GgmlType.F32]: 0, [GgmlType.F16]: 1, [GgmlType.Q4_0]: 2, [GgmlType.Q4_1]: 3, [GgmlType.Q8_0]: 7,
};

function tinyMetadata(contextLength: number, weightType: WritableType): [string, MetaValue][] {
  const c = TINY_LLAMA;
  const vocab = tinyVocabulary();
  return [
    ['general.architecture', meta.string('llama')],
    ['general.name', meta.string('tiny-llama')],
    ['general.file_type', meta.u32(FILE_TYPE[weightType])],
    ['llama.block_count', meta.u32(c.layerCount)],
    ['llama.context_length', meta.u32(contextLength)],
    ['llama.embedding_length', meta.u32(c.hiddenSize)],
    ['llama.feed_forward_length', meta.u32(c.intermediateSize)],
    ['llama.attention.head_count', meta.u32(c.headCount)],
    ['llama.attention.head_count_kv', meta.u32(c.kvHeadCount)],
    ['llama.rope.dimension_count', meta.u32(c.headDim)],
    ['llama.rope.freq_base', meta.f32(c.ropeTheta)],
    ['llama.attention.layer_norm_rms_epsilon', meta.f32(c.rmsEpsilon)],
    ['llama.vocab_size', meta.u32(c.vocabSize)],
    ['tokenizer.ggml.model', meta.string('gpt2')],
    ['tokenizer.ggml.pre', meta.string('smollm')],
    ['tokenizer.ggml.tokens', meta.strings(vocab.tokens)],
    ['tokenizer.ggml.token_type', meta.i32s(vocab.tokenTypes)],
    ['tokenizer.ggml.merges', meta.strings(vocab.merges)],
    ['tokenizer.ggml.bos_token_id', meta.u32(IM_START_ID)],
    ['tokenizer.ggml.eos_token_id', meta.u32(IM_END_ID)],
    ['tokenizer.ggml.unknown_token_id', meta.u32(ENDOFTEXT_ID)],
    ['tokenizer.ggml.padding_token_id', meta.u32(ENDOFTEXT_ID)],
    ['tokenizer.ggml.add_bos_token', meta.bool(false)],
    ['tokenizer.chat_template', meta.string(CHATML_TEMPLATE)],
  ];
}

function tinyTensors(opts: TinyLlamaOptions): TensorEntry[] {
  const c = TINY_LLAMA;
  const rng = new SeededRandom(opts.seed ?? 1);
  const weightType = opts.weightType ?? GgmlType.Q4_0;
  const normType = opts.normType ?? GgmlType.F32;
  const e = c.hiddenSize;
  const qWidth = c.headCount * c.headDim;
  const kvWidth = c.kvHeadCount * c.headDim;
  const ff = c.intermediateSize;
  // Matrices are [rows, row length] in ggml order [row length, rows]: y = W x maps dims[0] inputs to dims[1] outputs.
  const matrix = (name: string, inputs: number, outputs: number, std: number, type: WritableType = weightType): TensorEntry => ({
    name, dims: [inputs, outputs], type, data: encodeTensor(type, rng.normals(inputs * outputs, 0, std)),
  });
  const norm = (name: string): TensorEntry => ({ name, dims: [e], type: normType, data: encodeTensor(normType, rng.normals(e, 1, STD.norm)) });

  const tensors = [matrix('token_embd.weight', e, c.vocabSize, STD.embedding, opts.embeddingType ?? GgmlType.Q8_0), norm('output_norm.weight')];
  for (let l = 0; l < c.layerCount; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      norm(`${p}attn_norm.weight`),
      matrix(`${p}attn_q.weight`, e, qWidth, STD.qk),
      matrix(`${p}attn_k.weight`, e, kvWidth, STD.qk),
      matrix(`${p}attn_v.weight`, e, kvWidth, STD.v),
      matrix(`${p}attn_output.weight`, qWidth, e, STD.o),
      norm(`${p}ffn_norm.weight`),
      matrix(`${p}ffn_gate.weight`, e, ff, STD.gateUp),
      matrix(`${p}ffn_up.weight`, e, ff, STD.gateUp),
      matrix(`${p}ffn_down.weight`, ff, e, STD.down),
    );
  }
  return tensors;
}

/** Apply a corruption that lives in the document (header fields, tensor table). */
function corruptDocument(doc: GgufDocument, corruption: TinyCorruption | undefined): GgufDocument {
  const alignment = doc.alignment ?? 32;
  const dataSize = doc.tensors.reduce((sum, t) => sum + Math.ceil(t.data.length / alignment) * alignment, 0);
  const editTensor = (name: string, edit: Partial<TensorEntry>): GgufDocument => {
    if (!doc.tensors.some((t) => t.name === name)) throw new Error(`tiny model has no tensor "${name}"`);
    return { ...doc, tensors: doc.tensors.map((t) => (t.name === name ? { ...t, ...edit } : t)) };
  };
  switch (corruption?.kind) {
    case 'bad-magic': return { ...doc, magic: 0x46554746 };
    case 'bad-version': return { ...doc, version: corruption.version };
    // Aligned, but starting where the data section ends.
    case 'tensor-out-of-bounds': return editTensor(corruption.tensor, { offsetOverride: dataSize });
    case 'misaligned-tensor': return editTensor(corruption.tensor, { offsetOverride: alignment + 1 });
    case 'unknown-tensor-type': return editTensor(corruption.tensor, { type: corruption.typeCode });
    default: return doc;
  }
}

/** Bytes kept of a file cut inside its metadata: past the counts, inside the vocabulary. */
export const HEADER_CUT = 1000;

/** Cut the encoded file: inside the metadata, or halfway through the last tensor's data. */
function truncate(encoded: EncodedGguf, where: 'header' | 'tensor-data'): Buffer {
  if (where === 'header') return encoded.bytes.subarray(0, HEADER_CUT);
  const last = [...encoded.tensorSpans.values()].reduce((a, b) => (b.offset > a.offset ? b : a));
  return encoded.bytes.subarray(0, last.offset + Math.floor(last.size / 2));
}

/** Write the tiny deterministic Llama model (optionally spoiled) to `path`. */
export function writeTinyLlama(path: string, opts: TinyLlamaOptions = {}): TinyLlamaFile {
  const weightType = opts.weightType ?? GgmlType.Q4_0;
  const doc: GgufDocument = {
    metadata: tinyMetadata(opts.contextLength ?? TINY_LLAMA.contextLength, weightType),
    tensors: tinyTensors(opts),
    alignment: opts.alignment,
  };
  const layout = encodeGguf(corruptDocument(doc, opts.corruption));
  const bytes = opts.corruption?.kind === 'truncated' ? truncate(layout, opts.corruption.where) : layout.bytes;
  writeFileSync(path, bytes);
  return { path, layout };
}

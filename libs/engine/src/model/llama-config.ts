import { GgufError, GgufFile, metaNumber, metaString } from '../gguf/gguf-reader';

/** The architecture hyper-parameters of a Llama-family model, read from GGUF metadata. */
export interface LlamaConfig {
  readonly architecture: string;
  readonly layerCount: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly headCount: number;
  readonly kvHeadCount: number;
  readonly headDim: number;
  readonly contextLength: number;
  readonly vocabSize: number;
  readonly rmsEpsilon: number;
  readonly ropeTheta: number;
  /** Output head shares the token embedding. */
  readonly tiedEmbeddings: boolean;
}

/** Architectures that use the Llama block (RMSNorm, GQA with adjacent-pair RoPE, SwiGLU). */
const LLAMA_LIKE = new Set(['llama']);

export function llamaConfigFromGguf(f: GgufFile): LlamaConfig {
  const arch = metaString(f, 'general.architecture');
  if (!LLAMA_LIKE.has(arch)) throw new GgufError(f.path, `architecture "${arch}" is not supported (supported: ${[...LLAMA_LIKE].join(', ')})`);
  const k = (name: string, fallback?: number) => metaNumber(f, `${arch}.${name}`, fallback);
  const hiddenSize = k('embedding_length');
  const headCount = k('attention.head_count');
  const kvHeadCount = k('attention.head_count_kv', headCount);
  const headDim = k('attention.key_length', hiddenSize / headCount);
  const embedding = f.tensors.get('token_embd.weight');
  if (!embedding) throw new GgufError(f.path, 'missing tensor "token_embd.weight"');
  const config: LlamaConfig = {
    architecture: arch,
    layerCount: k('block_count'),
    hiddenSize,
    intermediateSize: k('feed_forward_length'),
    headCount,
    kvHeadCount,
    headDim,
    contextLength: k('context_length'),
    vocabSize: embedding.dims[1],
    rmsEpsilon: k('attention.layer_norm_rms_epsilon', 1e-5),
    ropeTheta: k('rope.freq_base', 10000),
    tiedEmbeddings: !f.tensors.has('output.weight'),
  };
  if (!Number.isInteger(headDim) || headCount % kvHeadCount !== 0) {
    throw new GgufError(f.path, `inconsistent attention geometry: ${headCount} heads, ${kvHeadCount} KV heads, head size ${headDim}`);
  }
  const scaling = f.metadata.get(`${arch}.rope.scaling.type`);
  if ((scaling !== undefined && scaling !== 'none') || f.tensors.has('rope_freqs.weight')) {
    throw new GgufError(f.path, `RoPE scaling (${String(scaling ?? 'rope_freqs.weight')}) is not supported`);
  }
  return config;
}

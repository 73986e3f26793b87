import { join } from 'node:path';
import { encodeGguf, meta, MetaValue, TensorEntry } from '../../../../tests/support/gguf-writer';
import { makeScratchDir } from '../../../../tests/support/tiny-fixture';
import { TINY_LLAMA, writeTinyLlama } from '../../../../tests/support/tiny-gguf';
import { GgmlType } from '../gguf/ggml-types';
import { parseGguf, readGguf } from '../gguf/gguf-reader';
import { llamaConfigFromGguf } from './llama-config';

const scratch = makeScratchDir();
afterAll(() => scratch.remove());

const tensor = (name: string, dims: number[]): TensorEntry => ({ name, dims, type: GgmlType.F32, data: new Uint8Array(dims.reduce((a, b) => a * b, 1) * 4) });

/** A header-only Llama GGUF: the metadata the config needs, an embedding table and any extra tensors. */
function configOf(metadata: Record<string, MetaValue | undefined>, extraTensors: TensorEntry[] = [], withEmbedding = true) {
  const base: Record<string, MetaValue | undefined> = {
    'general.architecture': meta.string('llama'),
    'llama.block_count': meta.u32(2),
    'llama.context_length': meta.u32(128),
    'llama.embedding_length': meta.u32(32),
    'llama.feed_forward_length': meta.u32(64),
    'llama.attention.head_count': meta.u32(4),
  };
  const entries = Object.entries({ ...base, ...metadata }).flatMap(([k, v]) => (v ? [[k, v] as const] : []));
  const tensors = [...(withEmbedding ? [tensor('token_embd.weight', [32, 10])] : []), ...extraTensors];
  return llamaConfigFromGguf(parseGguf(encodeGguf({ metadata: entries, tensors }).bytes, 'config.gguf'));
}

describe('llamaConfigFromGguf', () => {
  it('reads the tiny model: geometry, vocabulary size from the embedding, tied output', () => {
    const path = join(scratch.path, 'tiny.gguf');
    writeTinyLlama(path);
    expect(llamaConfigFromGguf(readGguf(path))).toEqual({
      architecture: 'llama',
      layerCount: TINY_LLAMA.layerCount,
      hiddenSize: TINY_LLAMA.hiddenSize,
      intermediateSize: TINY_LLAMA.intermediateSize,
      headCount: TINY_LLAMA.headCount,
      kvHeadCount: TINY_LLAMA.kvHeadCount,
      headDim: TINY_LLAMA.headDim,
      contextLength: TINY_LLAMA.contextLength,
      vocabSize: TINY_LLAMA.vocabSize,
      rmsEpsilon: Math.fround(TINY_LLAMA.rmsEpsilon),
      ropeTheta: TINY_LLAMA.ropeTheta,
      tiedEmbeddings: true,
    });
  });

  it('fills the documented defaults and honours explicit head size and an output matrix', () => {
    expect(configOf({})).toMatchObject({ kvHeadCount: 4, headDim: 8, rmsEpsilon: 1e-5, ropeTheta: 10000, vocabSize: 10, tiedEmbeddings: true });
    expect(configOf({ 'llama.attention.key_length': meta.u32(16) }).headDim).toBe(16);
    expect(configOf({}, [tensor('output.weight', [32, 10])]).tiedEmbeddings).toBe(false);
  });

  it('refuses what the engine cannot run, naming the file and the reason', () => {
    expect(() => configOf({ 'general.architecture': meta.string('gemma') })).toThrow('config.gguf: architecture "gemma" is not supported (supported: llama)');
    expect(() => configOf({ 'llama.block_count': undefined })).toThrow('config.gguf: missing metadata "llama.block_count"');
    expect(() => configOf({}, [], false)).toThrow('config.gguf: missing tensor "token_embd.weight"');
    expect(() => configOf({ 'llama.attention.head_count_kv': meta.u32(3) })).toThrow(/inconsistent attention geometry: 4 heads, 3 KV heads/);
    expect(() => configOf({ 'llama.attention.head_count': meta.u32(5) })).toThrow(/inconsistent attention geometry: 5 heads, 5 KV heads, head size 6.4/);
    expect(() => configOf({ 'llama.rope.scaling.type': meta.string('linear') })).toThrow('config.gguf: RoPE scaling (linear) is not supported');
    expect(() => configOf({}, [tensor('rope_freqs.weight', [4])])).toThrow('config.gguf: RoPE scaling (rope_freqs.weight) is not supported');
    expect(configOf({ 'llama.rope.scaling.type': meta.string('none') }).architecture).toBe('llama');
  });
});

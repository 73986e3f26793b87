import { join } from 'node:path';
import { makeScratchDir } from '../../../../tests/support/tiny-fixture';
import { HEADER_CUT, TinyCorruption, TinyLlamaFile, TINY_LLAMA, writeTinyLlama } from '../../../../tests/support/tiny-gguf';
import { CHATML_TEMPLATE } from '../../../../tests/support/tiny-vocabulary';
import { GgmlType } from './ggml-types';
import { GgufError, GgufFile, metaArray, metaBool, metaNumber, metaString, parseGguf, readGguf } from './gguf-reader';

const scratch = makeScratchDir();
let written: TinyLlamaFile;
let file: GgufFile;

beforeAll(() => {
  written = writeTinyLlama(join(scratch.path, 'tiny.gguf'), { weightType: GgmlType.Q4_1, normType: GgmlType.F16 });
  file = readGguf(written.path);
});
afterAll(() => scratch.remove());

describe('readGguf on the tiny model', () => {
  it('reads the header and typed metadata', () => {
    expect(file.version).toBe(3);
    expect(metaString(file, 'general.architecture')).toBe('llama');
    expect(metaNumber(file, 'llama.block_count')).toBe(TINY_LLAMA.layerCount);
    expect(metaNumber(file, 'llama.attention.head_count_kv')).toBe(TINY_LLAMA.kvHeadCount);
    expect(metaNumber(file, 'llama.rope.freq_base')).toBe(10000);
    // Stored as f32, so it comes back as the nearest float32, not 1e-5 itself.
    expect(metaNumber(file, 'llama.attention.layer_norm_rms_epsilon')).toBe(Math.fround(1e-5));
    expect(metaBool(file, 'tokenizer.ggml.add_bos_token', true)).toBe(false);
    expect(metaString(file, 'tokenizer.chat_template')).toBe(CHATML_TEMPLATE);
    const tokens = metaArray<string>(file, 'tokenizer.ggml.tokens')!;
    expect(tokens).toHaveLength(TINY_LLAMA.vocabSize);
    expect(tokens.slice(0, 4)).toEqual(['<|endoftext|>', '<|im_start|>', '<|im_end|>', 'Ā']);
    expect(metaArray<number>(file, 'tokenizer.ggml.token_type')!.slice(0, 4)).toEqual([3, 3, 3, 1]);
  });

  it('reads the tensor table: names, ggml-order dims, types and sizes', () => {
    expect(file.tensors.size).toBe(2 + 9 * TINY_LLAMA.layerCount);
    expect(file.tensors.get('token_embd.weight')).toMatchObject({ dims: [64, TINY_LLAMA.vocabSize], type: GgmlType.Q8_0, byteSize: (64 * 300 * 34) / 32 });
    expect(file.tensors.get('blk.0.attn_k.weight')).toMatchObject({ dims: [64, 32], type: GgmlType.Q4_1, elementCount: 2048, byteSize: (2048 / 32) * 20 });
    expect(file.tensors.get('blk.3.ffn_down.weight')).toMatchObject({ dims: [128, 64], type: GgmlType.Q4_1 });
    expect(file.tensors.get('output_norm.weight')).toMatchObject({ dims: [64], type: GgmlType.F16, byteSize: 128 });
    expect(file.tensors.has('output.weight')).toBe(false);
  });

  it('finds every tensor at its aligned offset with the bytes that were written', () => {
    for (const [name, span] of written.layout.tensorSpans) {
      const info = file.tensors.get(name)!;
      expect(info.offset).toBe(span.offset);
      expect((info.offset - written.layout.dataStart) % 32).toBe(0);
      expect(Buffer.from(file.tensorData(name)).equals(written.layout.bytes.subarray(span.offset, span.offset + span.size))).toBe(true);
    }
  });

  it('honours general.alignment', () => {
    const aligned = writeTinyLlama(join(scratch.path, 'aligned.gguf'), { alignment: 256 });
    const f = readGguf(aligned.path);
    expect(aligned.layout.dataStart % 256).toBe(0);
    for (const [name, span] of aligned.layout.tensorSpans) {
      expect(f.tensors.get(name)!.offset).toBe(span.offset);
      expect(span.offset % 256).toBe(0);
    }
  });

  it('accepts GGUF version 2 (same layout as 3)', () => {
    const bytes = Buffer.from(written.layout.bytes);
    bytes.writeUInt32LE(2, 4);
    expect(parseGguf(bytes, 'v2.gguf').version).toBe(2);
  });

  it('names the file and the key when metadata is missing or mistyped', () => {
    expect(() => metaNumber(file, 'llama.no_such_key')).toThrow(`${written.path}: missing metadata "llama.no_such_key"`);
    expect(metaNumber(file, 'llama.no_such_key', 7)).toBe(7);
    expect(() => metaString(file, 'llama.block_count')).toThrow(/metadata "llama.block_count" is not a string/);
    expect(() => metaNumber(file, 'general.architecture')).toThrow(/metadata "general.architecture" is not a number/);
    expect(() => metaArray(file, 'general.name')).toThrow(/metadata "general.name" is not an array/);
    expect(() => file.tensorData('blk.9.attn_q.weight')).toThrow(`${written.path}: missing tensor "blk.9.attn_q.weight"`);
  });
});

describe('readGguf refuses malformed files with an error naming the file and the problem', () => {
  const cases: [string, TinyCorruption, RegExp][] = [
    ['cut inside the metadata', { kind: 'truncated', where: 'header' }, new RegExp(`truncated: needs \\d+ bytes for tokenizer\\.ggml\\.tokens( length)? at offset \\d+, file has ${HEADER_CUT}`)],
    ['cut inside tensor data', { kind: 'truncated', where: 'tensor-data' }, /truncated: tensor "blk\.3\.ffn_down\.weight" needs bytes \d+\.\.\d+, file has \d+/],
    ['bad magic', { kind: 'bad-magic' }, /not a GGUF file \(bad magic\)/],
    ['version 1', { kind: 'bad-version', version: 1 }, /unsupported GGUF version 1 \(supported: 2, 3\)/],
    ['version 4', { kind: 'bad-version', version: 4 }, /unsupported GGUF version 4/],
    ['a tensor beyond the end', { kind: 'tensor-out-of-bounds', tensor: 'blk.1.attn_v.weight' }, /tensor "blk\.1\.attn_v\.weight" needs bytes \d+\.\.\d+, file has \d+/],
    ['a misaligned tensor', { kind: 'misaligned-tensor', tensor: 'blk.2.ffn_up.weight' }, /tensor "blk\.2\.ffn_up\.weight" offset 33 is not aligned to 32/],
    ['an unknown tensor type', { kind: 'unknown-tensor-type', tensor: 'blk.0.attn_q.weight', typeCode: 99 }, /tensor "blk\.0\.attn_q\.weight" has unknown ggml type 99/],
  ];

  it.each(cases)('%s', (_, corruption, problem) => {
    const path = join(scratch.path, `${corruption.kind}.gguf`);
    writeTinyLlama(path, { corruption });
    let error: unknown;
    try {
      readGguf(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GgufError);
    expect((error as GgufError).file).toBe(path);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((error as Error).message).toMatch(problem);
  });

  it('a file that does not exist', () => {
    const path = join(scratch.path, 'missing.gguf');
    expect(() => readGguf(path)).toThrow(new RegExp(`^${path}: cannot read model file`));
  });
});

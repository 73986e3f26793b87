/**
 * A GGUF writer for test fixtures (format as in ggml's docs/gguf.md and gguf.c): header, metadata,
 * tensor table, then tensor data with every tensor starting at a multiple of the alignment.
 * Every field can be overridden, so tests can also produce the malformed files a reader must refuse.
 */

/** GGUF metadata value type codes. */
enum ValueType {
  U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9,
}

export type MetaValue =
  | { readonly type: 'u32' | 'f32'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'i32s'; readonly value: readonly number[] };

export const meta = {
  u32: (value: number): MetaValue => ({ type: 'u32', value }),
  f32: (value: number): MetaValue => ({ type: 'f32', value }),
  bool: (value: boolean): MetaValue => ({ type: 'bool', value }),
  string: (value: string): MetaValue => ({ type: 'string', value }),
  strings: (value: readonly string[]): MetaValue => ({ type: 'strings', value }),
  i32s: (value: readonly number[]): MetaValue => ({ type: 'i32s', value }),
};

export interface TensorEntry {
  readonly name: string;
  /** ggml order: dims[0] is the row length. */
  readonly dims: readonly number[];
  /** ggml type code, written as is (an unknown code makes a corrupt file). */
  readonly type: number;
  readonly data: Uint8Array;
  /** Offset to record instead of the real one (relative to the data section), for corrupt files. */
  readonly offsetOverride?: number;
}

export interface GgufDocument {
  readonly metadata: ReadonlyArray<readonly [string, MetaValue]>;
  readonly tensors: readonly TensorEntry[];
  /** Written as general.alignment when given; 32 (the format's default) otherwise. */
  readonly alignment?: number;
  readonly version?: number;
  readonly magic?: number;
}

export interface EncodedGguf {
  readonly bytes: Buffer;
  /** Absolute offset where tensor data starts. */
  readonly dataStart: number;
  /** Absolute offset and size of each tensor's data. */
  readonly tensorSpans: ReadonlyMap<string, { readonly offset: number; readonly size: number }>;
}

const GGUF_MAGIC = 0x46554747;
const DEFAULT_ALIGNMENT = 32;

/** Little-endian byte sink. */
class ByteSink {
  private readonly chunks: Buffer[] = [];
  length = 0;

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  u8(v: number): void {
    this.push(Buffer.of(v));
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  bytes(data: Uint8Array): void {
    this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    if (pad) this.push(Buffer.alloc(pad));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeValue(out: ByteSink, v: MetaValue): void {
  switch (v.type) {
    case 'u32': out.u32(ValueType.U32); out.u32(v.value); return;
    case 'f32': out.u32(ValueType.F32); out.f32(v.value); return;
    case 'bool': out.u32(ValueType.BOOL); out.u8(v.value ? 1 : 0); return;
    case 'string': out.u32(ValueType.STRING); out.string(v.value); return;
    case 'strings':
      out.u32(ValueType.ARRAY); out.u32(ValueType.STRING); out.u64(v.value.length);
      for (const s of v.value) out.string(s);
      return;
    case 'i32s':
      out.u32(ValueType.ARRAY); out.u32(ValueType.I32); out.u64(v.value.length);
      for (const i of v.value) out.i32(i);
      return;
  }
}

export function encodeGguf(doc: GgufDocument): EncodedGguf {
  const alignment = doc.alignment ?? DEFAULT_ALIGNMENT;
  const metadata = doc.alignment === undefined ? doc.metadata : [...doc.metadata, ['general.alignment', meta.u32(alignment)] as const];
  const out = new ByteSink();
  out.u32(doc.magic ?? GGUF_MAGIC);
  out.u32(doc.version ?? 3);
  out.u64(doc.tensors.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    out.string(key);
    writeValue(out, value);
  }

  // Relative offsets: each tensor's data starts at the next multiple of the alignment.
  const relative: number[] = [];
  let next = 0;
  for (const t of doc.tensors) {
    relative.push(next);
    next += Math.ceil(t.data.length / alignment) * alignment;
  }
  doc.tensors.forEach((t, i) => {
    out.string(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) out.u64(d);
    out.u32(t.type);
    out.u64(t.offsetOverride ?? relative[i]);
  });
  out.padTo(alignment);
  const dataStart = out.length;
  const tensorSpans = new Map<string, { offset: number; size: number }>();
  doc.tensors.forEach((t, i) => {
    tensorSpans.set(t.name, { offset: dataStart + relative[i], size: t.data.length });
    out.bytes(t.data);
    out.padTo(alignment);
  });
  return { bytes: out.toBuffer(), dataStart, tensorSpans };
}

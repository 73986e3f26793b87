import { readFileSync } from 'node:fs';
import { blockLayout, ggmlTypeName } from './ggml-types';

/** Raised for any file that is not a well-formed GGUF this engine can read; the message names the file. */
export class GgufError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'GgufError';
  }
}

export type GgufValue = number | bigint | boolean | string | GgufValue[];

export interface GgufTensorInfo {
  readonly name: string;
  /** ggml order: dims[0] is the fastest-varying (row length). */
  readonly dims: number[];
  readonly type: number;
  readonly elementCount: number;
  readonly byteSize: number;
  /** Absolute offset in the file. */
  readonly offset: number;
}

export interface GgufFile {
  readonly path: string;
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: ReadonlyMap<string, GgufTensorInfo>;
  /** The tensor's raw bytes (a view into the file, not a copy). */
  tensorData(name: string): Uint8Array;
}

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
const DEFAULT_ALIGNMENT = 32;
const MAX_DIMS = 4;

enum ValueType {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
}

/** Sequential little-endian reader that turns every overrun into a GgufError. */
class Cursor {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Buffer, private readonly file: string) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get offset(): number {
    return this.pos;
  }
  private need(n: number, what: string): number {
    if (this.pos + n > this.buf.length) {
      throw new GgufError(this.file, `truncated: needs ${n} bytes for ${what} at offset ${this.pos}, file has ${this.buf.length}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(what: string) { return this.view.getUint8(this.need(1, what)); }
  i8(what: string) { return this.view.getInt8(this.need(1, what)); }
  u16(what: string) { return this.view.getUint16(this.need(2, what), true); }
  i16(what: string) { return this.view.getInt16(this.need(2, what), true); }
  u32(what: string) { return this.view.getUint32(this.need(4, what), true); }
  i32(what: string) { return this.view.getInt32(this.need(4, what), true); }
  f32(what: string) { return this.view.getFloat32(this.need(4, what), true); }
  f64(what: string) { return this.view.getFloat64(this.need(8, what), true); }
  i64(what: string) { return this.view.getBigInt64(this.need(8, what), true); }
  /** u64 that must fit a JS number (counts, sizes, offsets). */
  count(what: string): number {
    const v = this.view.getBigUint64(this.need(8, what), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufError(this.file, `${what} is implausibly large (${v})`);
    return Number(v);
  }
  u64(what: string): bigint { return this.view.getBigUint64(this.need(8, what), true); }
  string(what: string): string {
    const len = this.count(`${what} length`);
    const at = this.need(len, what);
    return this.buf.toString('utf8', at, at + len);
  }
}

function readValue(c: Cursor, type: number, key: string, file: string): GgufValue {
  switch (type) {
    case ValueType.U8: return c.u8(key);
    case ValueType.I8: return c.i8(key);
    case ValueType.U16: return c.u16(key);
    case ValueType.I16: return c.i16(key);
    case ValueType.U32: return c.u32(key);
    case ValueType.I32: return c.i32(key);
    case ValueType.F32: return c.f32(key);
    case ValueType.F64: return c.f64(key);
    case ValueType.BOOL: return c.u8(key) !== 0;
    case ValueType.STRING: return c.string(key);
    case ValueType.U64: return c.u64(key);
    case ValueType.I64: return c.i64(key);
    case ValueType.ARRAY: {
      const itemType = c.u32(`${key} item type`);
      const n = c.count(`${key} array length`);
      const out: GgufValue[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = readValue(c, itemType, key, file);
      return out;
    }
    default:
      throw new GgufError(file, `metadata "${key}" has unknown value type ${type}`);
  }
}

/** Parse a GGUF file: header, metadata and tensor table, checking that every tensor lies inside the file. */
export function readGguf(path: string): GgufFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new GgufError(path, `cannot read model file (${(e as Error).message})`);
  }
  return parseGguf(buf, path);
}

export function parseGguf(buf: Buffer, path: string): GgufFile {
  const c = new Cursor(buf, path);
  const magic = c.u32('magic');
  if (magic !== GGUF_MAGIC) throw new GgufError(path, 'not a GGUF file (bad magic)');
  const version = c.u32('version');
  if (version !== 2 && version !== 3) throw new GgufError(path, `unsupported GGUF version ${version} (supported: 2, 3)`);
  const tensorCount = c.count('tensor count');
  const kvCount = c.count('metadata count');
  // Each entry needs at least a few bytes, so counts beyond the file size are corruption, not big models.
  if (tensorCount > buf.length / 8 || kvCount > buf.length / 8) throw new GgufError(path, 'corrupt header (impossible entry counts)');

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string('metadata key');
    const type = c.u32(`metadata "${key}" type`);
    metadata.set(key, readValue(c, type, key, path));
  }

  const infos: { name: string; dims: number[]; type: number; rel: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string('tensor name');
    const nDims = c.u32(`tensor "${name}" rank`);
    if (nDims < 1 || nDims > MAX_DIMS) throw new GgufError(path, `tensor "${name}" has invalid rank ${nDims}`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.count(`tensor "${name}" dim`));
    const type = c.u32(`tensor "${name}" type`);
    const rel = c.count(`tensor "${name}" offset`);
    infos.push({ name, dims, type, rel });
  }

  const alignmentValue = metadata.get('general.alignment');
  const alignment = typeof alignmentValue === 'number' ? alignmentValue : DEFAULT_ALIGNMENT;
  if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) throw new GgufError(path, `invalid alignment ${alignment}`);
  const dataStart = Math.ceil(c.offset / alignment) * alignment;

  const tensors = new Map<string, GgufTensorInfo>();
  for (const { name, dims, type, rel } of infos) {
    const layout = blockLayout(type);
    if (!layout) throw new GgufError(path, `tensor "${name}" has unknown ggml type ${type}`);
    const elementCount = dims.reduce((a, b) => a * b, 1);
    if (dims[0] % layout.blockSize !== 0) {
      throw new GgufError(path, `tensor "${name}" row length ${dims[0]} is not a multiple of the ${ggmlTypeName(type)} block size ${layout.blockSize}`);
    }
    const byteSize = (elementCount / layout.blockSize) * layout.typeSize;
    const offset = dataStart + rel;
    if (rel % alignment !== 0) throw new GgufError(path, `tensor "${name}" offset ${rel} is not aligned to ${alignment}`);
    if (offset + byteSize > buf.length) {
      throw new GgufError(path, `truncated: tensor "${name}" needs bytes ${offset}..${offset + byteSize}, file has ${buf.length}`);
    }
    if (tensors.has(name)) throw new GgufError(path, `duplicate tensor "${name}"`);
    tensors.set(name, { name, dims, type, elementCount, byteSize, offset });
  }

  return {
    path,
    version,
    metadata,
    tensors,
    tensorData(name: string): Uint8Array {
      const t = tensors.get(name);
      if (!t) throw new GgufError(path, `missing tensor "${name}"`);
      return new Uint8Array(buf.buffer, buf.byteOffset + t.offset, t.byteSize);
    },
  };
}

/** Typed metadata access with errors that name the key. */
export function metaNumber(f: GgufFile, key: string, fallback?: number): number {
  const v = f.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new GgufError(f.path, `missing metadata "${key}"`);
  }
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') throw new GgufError(f.path, `metadata "${key}" is not a number`);
  return v;
}

export function metaString(f: GgufFile, key: string, fallback?: string): string {
  const v = f.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new GgufError(f.path, `missing metadata "${key}"`);
  }
  if (typeof v !== 'string') throw new GgufError(f.path, `metadata "${key}" is not a string`);
  return v;
}

export function metaArray<T extends GgufValue>(f: GgufFile, key: string): T[] | undefined {
  const v = f.metadata.get(key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new GgufError(f.path, `metadata "${key}" is not an array`);
  return v as T[];
}

export function metaBool(f: GgufFile, key: string, fallback: boolean): boolean {
  const v = f.metadata.get(key);
  return typeof v === 'boolean' ? v : fallback;
}

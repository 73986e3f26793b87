/**
 * The bytes of a serialized generation state, format version 1. Little-endian throughout.
 *
 *   header (HEADER_BYTES = 192)
 *       0  u8[8]    magic "LZYSTATE"
 *       8  u32      format version
 *      12  u32      KV precision: 0 f32 (lossless), 1 f16
 *      16  u64      byte size of the whole state, final checksum included
 *      24  u8[32]   model identity: sha256 of the GGUF
 *      56  u32 x4   geometry: layers L, KV heads, head dim, hidden size E
 *      72  u32 x5   counts: tokens T, generated G, Aux Cache entries A, stop tokens S, pruning layers P
 *      92  u32      sampler rng state
 *      96  u32      finish reason: 0 running, 1 stop, 2 length
 *     100  u32      pruning selection policy: 0 lazy, 1 random, 2 static
 *     104  f64 x10  maxTokens, temperature, topK, topP, seed, computedPairs, revived,
 *                   prefillMs, decodeMs, decodeSteps
 *     184  u32      random selection's seed (0 for the other policies)
 *     188  u32      crc32 of header bytes [0, 188)
 *   body, every section starting on an 8-byte boundary:
 *     u32[L] KV rows per layer (R_l)
 *     i32[T] tokens (a token's position is its index), i32[T] depths
 *     i32[G] generated tokens, i32[S] stop tokens, i32[P] pruning layers, f64[P] percentiles
 *     per layer: i32[R_l] row tokens, then K and V rows, [R_l, KV heads x head dim] each, f32 or f16
 *     Aux Cache: i32[A] tokens (ascending), i32[A] depths, f32[A, E] hidden states
 *       (f32 in both modes: a revived token's hidden state re-enters the layer stack as its input)
 *     u32 crc32 of every byte before it
 *
 * The header has its own checksum so that a damaged size or count is reported as corruption, not as
 * truncation, and so inspectState can trust a header without reading the body. crc32 (zlib's, in
 * Node >= 20.15) guards against accidental damage, which is all a state kept in our own Redis meets;
 * measured here it hashes ~3 GB/s against sha256's ~1.2 GB/s. Sections are aligned so that decoding
 * views them in place as typed arrays when the bytes start on an 8-byte boundary (fresh allocations
 * and Buffer.concat do); otherwise the bytes are copied once to realign them.
 */
import { crc32 } from 'node:zlib';
import type { FinishReason, GenerationTimings } from '../generation/generation';
import type { SamplingParams } from '../generation/sampler';
import { PruningSchedule, selectionOf, SelectionPolicy } from '../pruning/pruning-schedule';
import { StateFormatError } from './state-format-error';
import { encodeHalfRows } from './half-float';

export const FORMAT_VERSION = 1;
const MAGIC = 'LZYSTATE';

/** Byte offsets of the header fields. */
export const HEADER = {
  magic: 0,
  version: 8,
  kvPrecision: 12,
  byteSize: 16,
  identity: 24,
  layerCount: 56,
  kvHeadCount: 60,
  headDim: 64,
  hiddenSize: 68,
  tokenCount: 72,
  generatedCount: 76,
  auxCount: 80,
  stopTokenCount: 84,
  scheduleLength: 88,
  rngState: 92,
  finishReason: 96,
  selection: 100,
  maxTokens: 104,
  temperature: 112,
  topK: 120,
  topP: 128,
  seed: 136,
  computedPairs: 144,
  revived: 152,
  prefillMs: 160,
  decodeMs: 168,
  decodeSteps: 176,
  selectionSeed: 184,
  checksum: 188,
} as const;
export const HEADER_BYTES = 192;
const ALIGN = 8;
const IDENTITY_BYTES = 32;

// Sections are read and written as typed arrays, which use the platform's byte order.
if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('the generation state format needs a little-endian platform');

export type KvPrecision = 'f32' | 'f16';
const PRECISIONS: readonly KvPrecision[] = ['f32', 'f16'];
const FINISH_REASONS: readonly (FinishReason | undefined)[] = [undefined, 'stop', 'length'];
const SELECTION_KINDS: readonly SelectionPolicy['kind'][] = ['lazy', 'random', 'static'];

export interface StateGeometry {
  readonly layerCount: number;
  readonly kvHeadCount: number;
  readonly headDim: number;
  readonly hiddenSize: number;
}

/** One layer's KV rows: row r belongs to token tokens[r]; keys and values are [rows, KV heads x head dim]. */
export interface KvRows<T extends Float32Array | Uint16Array = Float32Array> {
  readonly tokens: Int32Array;
  readonly keys: T;
  readonly values: T;
}

/** An Aux Cache entry: the token's hidden state at the input of layer `depth`. */
export interface AuxRow {
  readonly token: number;
  readonly depth: number;
  readonly hidden: Float32Array;
}

/** Everything a state holds, as arrays and numbers. */
export interface StateContents<T extends Float32Array | Uint16Array = Float32Array> {
  readonly modelIdentity: string;
  readonly geometry: StateGeometry;
  readonly tokens: ArrayLike<number>;
  readonly depth: ArrayLike<number>;
  readonly generated: ArrayLike<number>;
  readonly stopTokens: ArrayLike<number>;
  readonly schedule: PruningSchedule;
  readonly sampling: SamplingParams;
  readonly rngState: number;
  readonly maxTokens: number;
  readonly computedPairs: number;
  readonly revived: number;
  readonly timings: GenerationTimings;
  readonly finishReason: FinishReason | undefined;
  readonly kv: readonly KvRows<T>[];
  readonly aux: readonly AuxRow[];
}

/** What a state's header says, for logs and metrics. */
export interface StateHeader {
  readonly formatVersion: number;
  /** sha256 (hex) of the GGUF the state was computed with. */
  readonly modelIdentity: string;
  readonly geometry: StateGeometry;
  readonly kvPrecision: KvPrecision;
  readonly tokenCount: number;
  readonly generatedCount: number;
  readonly byteSize: number;
}

/** A decoded state: arrays are views into the bytes; K/V rows are floats, or half bits in compact mode. */
export interface DecodedState extends StateContents<Float32Array | Uint16Array> {
  readonly header: StateHeader;
  readonly tokens: Int32Array;
  readonly depth: Int32Array;
  readonly generated: Int32Array;
  readonly stopTokens: Int32Array;
}

interface Shape {
  readonly geometry: StateGeometry;
  readonly kvPrecision: KvPrecision;
  readonly tokenCount: number;
  readonly generatedCount: number;
  readonly auxCount: number;
  readonly stopTokenCount: number;
  readonly scheduleLength: number;
}

interface LayerSections {
  readonly tokens: number;
  readonly keys: number;
  readonly values: number;
}

/** Byte offsets of the body sections. */
interface BodyLayout {
  readonly kvRows: number;
  readonly tokens: number;
  readonly depth: number;
  readonly generated: number;
  readonly stopTokens: number;
  readonly scheduleLayers: number;
  readonly schedulePercentiles: number;
  readonly layers: readonly LayerSections[];
  readonly auxTokens: number;
  readonly auxDepth: number;
  readonly auxHidden: number;
  readonly checksum: number;
  readonly byteSize: number;
}

function bodyLayout(s: Shape, kvRows: ArrayLike<number>): BodyLayout {
  const { layerCount, kvHeadCount, headDim, hiddenSize } = s.geometry;
  const rowBytes = kvHeadCount * headDim * (s.kvPrecision === 'f16' ? 2 : 4);
  let at = HEADER_BYTES;
  const section = (bytes: number): number => {
    const start = at;
    at = Math.ceil((at + bytes) / ALIGN) * ALIGN;
    return start;
  };
  // Property order is file order: each call claims the next section.
  const layout = {
    kvRows: section(4 * layerCount),
    tokens: section(4 * s.tokenCount),
    depth: section(4 * s.tokenCount),
    generated: section(4 * s.generatedCount),
    stopTokens: section(4 * s.stopTokenCount),
    scheduleLayers: section(4 * s.scheduleLength),
    schedulePercentiles: section(8 * s.scheduleLength),
    layers: Array.from(kvRows, (rows) => ({ tokens: section(4 * rows), keys: section(rows * rowBytes), values: section(rows * rowBytes) })),
    auxTokens: section(4 * s.auxCount),
    auxDepth: section(4 * s.auxCount),
    auxHidden: section(4 * s.auxCount * hiddenSize),
    checksum: section(4),
  };
  return { ...layout, byteSize: layout.checksum + 4 };
}

export function encodeState(c: StateContents, kvPrecision: KvPrecision): Uint8Array {
  if (!PRECISIONS.includes(kvPrecision)) throw new RangeError(`KV precision "${kvPrecision}" is not one of ${PRECISIONS.join(', ')}`);
  const shape = shapeOf(c, kvPrecision);
  const layout = bodyLayout(shape, c.kv.map((rows) => rows.tokens.length));
  const bytes = new Uint8Array(layout.byteSize);
  const view = new DataView(bytes.buffer);
  writeHeader(view, c, shape, layout.byteSize);

  u32s(bytes, layout.kvRows, c.kv.length).set(c.kv.map((rows) => rows.tokens.length));
  i32s(bytes, layout.tokens, shape.tokenCount).set(c.tokens);
  i32s(bytes, layout.depth, shape.tokenCount).set(c.depth);
  i32s(bytes, layout.generated, shape.generatedCount).set(c.generated);
  i32s(bytes, layout.stopTokens, shape.stopTokenCount).set(c.stopTokens);
  i32s(bytes, layout.scheduleLayers, shape.scheduleLength).set(c.schedule.layers);
  f64s(bytes, layout.schedulePercentiles, shape.scheduleLength).set(c.schedule.percentiles);
  c.kv.forEach((rows, l) => {
    const at = layout.layers[l];
    i32s(bytes, at.tokens, rows.tokens.length).set(rows.tokens);
    writeRows(bytes, at.keys, rows.keys, kvPrecision);
    writeRows(bytes, at.values, rows.values, kvPrecision);
  });
  const hiddenSize = shape.geometry.hiddenSize;
  const auxTokens = i32s(bytes, layout.auxTokens, shape.auxCount);
  const auxDepth = i32s(bytes, layout.auxDepth, shape.auxCount);
  const auxHidden = f32s(bytes, layout.auxHidden, shape.auxCount * hiddenSize);
  c.aux.forEach((entry, i) => {
    auxTokens[i] = entry.token;
    auxDepth[i] = entry.depth;
    auxHidden.set(entry.hidden, i * hiddenSize);
  });

  view.setUint32(HEADER.checksum, crc32(bytes.subarray(0, HEADER.checksum)), true);
  view.setUint32(layout.checksum, crc32(bytes.subarray(0, layout.checksum)), true);
  return bytes;
}

/** Checks the framing (magic, version, size, both checksums) and views the sections in place. */
export function decodeState(input: Uint8Array): DecodedState {
  const { header, shape } = readHeader(input);
  if (input.length < header.byteSize) throw new StateFormatError('truncated', `${input.length} of ${header.byteSize} bytes`);
  if (input.length > header.byteSize) throw new StateFormatError('inconsistent-content', `${input.length - header.byteSize} bytes after the end of a ${header.byteSize}-byte state`);
  const bytes = input.byteOffset % ALIGN === 0 ? input : input.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const checksumAt = header.byteSize - 4;
  const stored = view.getUint32(checksumAt, true);
  const actual = crc32(bytes.subarray(0, checksumAt));
  if (stored !== actual) throw new StateFormatError('checksum-mismatch', `stored crc32 ${hex32(stored)}, computed ${hex32(actual)} over ${checksumAt} bytes`);

  const { layerCount, kvHeadCount, headDim, hiddenSize } = shape.geometry;
  if (HEADER_BYTES + 4 * layerCount > checksumAt) throw new StateFormatError('inconsistent-content', `${layerCount} layers do not fit in ${header.byteSize} bytes`);
  const kvRows = u32s(bytes, HEADER_BYTES, layerCount);
  const layout = bodyLayout(shape, kvRows);
  if (layout.byteSize !== header.byteSize) {
    throw new StateFormatError('inconsistent-content', `the header's counts describe ${layout.byteSize} bytes but its size field says ${header.byteSize}`);
  }
  const finishCode = view.getUint32(HEADER.finishReason, true);
  if (finishCode >= FINISH_REASONS.length) throw new StateFormatError('inconsistent-content', `unknown finish reason code ${finishCode}`);
  const selection = readSelection(view);

  const width = kvHeadCount * headDim;
  const rowsAt = shape.kvPrecision === 'f16' ? u16s : f32s;
  const f64 = (field: number) => view.getFloat64(field, true);
  const auxTokens = i32s(bytes, layout.auxTokens, shape.auxCount);
  const auxDepth = i32s(bytes, layout.auxDepth, shape.auxCount);
  const auxHidden = f32s(bytes, layout.auxHidden, shape.auxCount * hiddenSize);
  return {
    header,
    modelIdentity: header.modelIdentity,
    geometry: shape.geometry,
    tokens: i32s(bytes, layout.tokens, shape.tokenCount),
    depth: i32s(bytes, layout.depth, shape.tokenCount),
    generated: i32s(bytes, layout.generated, shape.generatedCount),
    stopTokens: i32s(bytes, layout.stopTokens, shape.stopTokenCount),
    schedule: {
      layers: Array.from(i32s(bytes, layout.scheduleLayers, shape.scheduleLength)),
      percentiles: Array.from(f64s(bytes, layout.schedulePercentiles, shape.scheduleLength)),
      ...(selection.kind === 'lazy' ? {} : { selection }),
    },
    sampling: { temperature: f64(HEADER.temperature), topK: f64(HEADER.topK), topP: f64(HEADER.topP), seed: f64(HEADER.seed) },
    rngState: view.getUint32(HEADER.rngState, true),
    maxTokens: f64(HEADER.maxTokens),
    computedPairs: f64(HEADER.computedPairs),
    revived: f64(HEADER.revived),
    timings: { prefillMs: f64(HEADER.prefillMs), decodeMs: f64(HEADER.decodeMs), decodeSteps: f64(HEADER.decodeSteps) },
    finishReason: FINISH_REASONS[finishCode],
    kv: layout.layers.map((at, l) => ({
      tokens: i32s(bytes, at.tokens, kvRows[l]),
      keys: rowsAt(bytes, at.keys, kvRows[l] * width),
      values: rowsAt(bytes, at.values, kvRows[l] * width),
    })),
    aux: Array.from(auxTokens, (token, i) => ({ token, depth: auxDepth[i], hidden: auxHidden.subarray(i * hiddenSize, (i + 1) * hiddenSize) })),
  };
}

/** Reads and checks the header only (magic, version, header checksum): cheap, for logs and metrics. */
export function inspectState(bytes: Uint8Array): StateHeader {
  return readHeader(bytes).header;
}

function readHeader(bytes: Uint8Array): { header: StateHeader; shape: Shape } {
  const magicLength = Math.min(bytes.length, MAGIC.length);
  const found = Buffer.from(bytes.buffer, bytes.byteOffset, magicLength).toString('latin1');
  if (found !== MAGIC.slice(0, magicLength)) throw new StateFormatError('bad-magic', `starts with ${JSON.stringify(found)}, expected ${JSON.stringify(MAGIC)}`);
  if (bytes.length < HEADER.version + 4) throw new StateFormatError('truncated', `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = view.getUint32(HEADER.version, true);
  if (version !== FORMAT_VERSION) throw new StateFormatError('unsupported-version', `format version ${version}; this build reads version ${FORMAT_VERSION}`);
  if (bytes.length < HEADER_BYTES) throw new StateFormatError('truncated', `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const stored = view.getUint32(HEADER.checksum, true);
  const actual = crc32(bytes.subarray(0, HEADER.checksum));
  if (stored !== actual) throw new StateFormatError('checksum-mismatch', `header crc32 stored ${hex32(stored)}, computed ${hex32(actual)}`);

  const u32 = (field: number) => view.getUint32(field, true);
  const kvPrecision = PRECISIONS[u32(HEADER.kvPrecision)];
  if (kvPrecision === undefined) throw new StateFormatError('inconsistent-content', `unknown KV precision code ${u32(HEADER.kvPrecision)}`);
  const shape: Shape = {
    geometry: { layerCount: u32(HEADER.layerCount), kvHeadCount: u32(HEADER.kvHeadCount), headDim: u32(HEADER.headDim), hiddenSize: u32(HEADER.hiddenSize) },
    kvPrecision,
    tokenCount: u32(HEADER.tokenCount),
    generatedCount: u32(HEADER.generatedCount),
    auxCount: u32(HEADER.auxCount),
    stopTokenCount: u32(HEADER.stopTokenCount),
    scheduleLength: u32(HEADER.scheduleLength),
  };
  const byteSize = Number(view.getBigUint64(HEADER.byteSize, true));
  if (byteSize < HEADER_BYTES + 4) throw new StateFormatError('inconsistent-content', `a size of ${byteSize} bytes leaves no room for the body`);
  const header: StateHeader = {
    formatVersion: version,
    modelIdentity: Buffer.from(bytes.buffer, bytes.byteOffset + HEADER.identity, IDENTITY_BYTES).toString('hex'),
    geometry: shape.geometry,
    kvPrecision,
    tokenCount: shape.tokenCount,
    generatedCount: shape.generatedCount,
    byteSize,
  };
  return { header, shape };
}

function shapeOf(c: StateContents, kvPrecision: KvPrecision): Shape {
  const { layerCount, kvHeadCount, headDim, hiddenSize } = c.geometry;
  const width = kvHeadCount * headDim;
  const problems: string[] = [];
  if (!/^[0-9a-f]{64}$/.test(c.modelIdentity)) problems.push(`model identity "${c.modelIdentity}" is not a sha256 in hex`);
  if (c.depth.length !== c.tokens.length) problems.push(`${c.depth.length} depths for ${c.tokens.length} tokens`);
  if (c.kv.length !== layerCount) problems.push(`${c.kv.length} KV layers for ${layerCount} layers`);
  c.kv.forEach((rows, l) => {
    const values = rows.tokens.length * width;
    if (rows.keys.length !== values || rows.values.length !== values) problems.push(`layer ${l}: ${rows.tokens.length} rows but ${rows.keys.length} keys and ${rows.values.length} values`);
  });
  c.aux.forEach((e) => {
    if (e.hidden.length !== hiddenSize) problems.push(`Aux Cache entry of token ${e.token}: hidden state of ${e.hidden.length} values, not ${hiddenSize}`);
  });
  if (problems.length > 0) throw new Error(`cannot serialize the generation state: ${problems.join('; ')}`);
  return {
    geometry: c.geometry,
    kvPrecision,
    tokenCount: c.tokens.length,
    generatedCount: c.generated.length,
    auxCount: c.aux.length,
    stopTokenCount: c.stopTokens.length,
    scheduleLength: c.schedule.layers.length,
  };
}

function writeHeader(view: DataView, c: StateContents, s: Shape, byteSize: number): void {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  bytes.set(Buffer.from(MAGIC, 'latin1'), HEADER.magic);
  bytes.set(Buffer.from(c.modelIdentity, 'hex'), HEADER.identity);
  const u32 = (field: number, value: number) => view.setUint32(field, value, true);
  const f64 = (field: number, value: number) => view.setFloat64(field, value, true);
  u32(HEADER.version, FORMAT_VERSION);
  u32(HEADER.kvPrecision, PRECISIONS.indexOf(s.kvPrecision));
  view.setBigUint64(HEADER.byteSize, BigInt(byteSize), true);
  u32(HEADER.layerCount, s.geometry.layerCount);
  u32(HEADER.kvHeadCount, s.geometry.kvHeadCount);
  u32(HEADER.headDim, s.geometry.headDim);
  u32(HEADER.hiddenSize, s.geometry.hiddenSize);
  u32(HEADER.tokenCount, s.tokenCount);
  u32(HEADER.generatedCount, s.generatedCount);
  u32(HEADER.auxCount, s.auxCount);
  u32(HEADER.stopTokenCount, s.stopTokenCount);
  u32(HEADER.scheduleLength, s.scheduleLength);
  u32(HEADER.rngState, c.rngState);
  u32(HEADER.finishReason, FINISH_REASONS.indexOf(c.finishReason));
  const selection = selectionOf(c.schedule);
  u32(HEADER.selection, SELECTION_KINDS.indexOf(selection.kind));
  u32(HEADER.selectionSeed, selection.kind === 'random' ? selection.seed : 0);
  f64(HEADER.maxTokens, c.maxTokens);
  f64(HEADER.temperature, c.sampling.temperature);
  f64(HEADER.topK, c.sampling.topK);
  f64(HEADER.topP, c.sampling.topP);
  f64(HEADER.seed, c.sampling.seed);
  f64(HEADER.computedPairs, c.computedPairs);
  f64(HEADER.revived, c.revived);
  f64(HEADER.prefillMs, c.timings.prefillMs);
  f64(HEADER.decodeMs, c.timings.decodeMs);
  f64(HEADER.decodeSteps, c.timings.decodeSteps);
}

/** LazyLLM, the default policy, stays implicit in the decoded schedule, as in a schedule written by hand. */
function readSelection(view: DataView): SelectionPolicy {
  const kind = SELECTION_KINDS[view.getUint32(HEADER.selection, true)];
  switch (kind) {
    case 'lazy':
    case 'static':
      return { kind };
    case 'random':
      return { kind, seed: view.getUint32(HEADER.selectionSeed, true) };
    default:
      throw new StateFormatError('inconsistent-content', `unknown pruning selection policy code ${view.getUint32(HEADER.selection, true)}`);
  }
}

function writeRows(bytes: Uint8Array, offset: number, rows: Float32Array, precision: KvPrecision): void {
  if (precision === 'f16') encodeHalfRows(rows, u16s(bytes, offset, rows.length));
  else f32s(bytes, offset, rows.length).set(rows);
}

const i32s = (b: Uint8Array, offset: number, n: number) => new Int32Array(b.buffer, b.byteOffset + offset, n);
const u32s = (b: Uint8Array, offset: number, n: number) => new Uint32Array(b.buffer, b.byteOffset + offset, n);
const u16s = (b: Uint8Array, offset: number, n: number) => new Uint16Array(b.buffer, b.byteOffset + offset, n);
const f32s = (b: Uint8Array, offset: number, n: number) => new Float32Array(b.buffer, b.byteOffset + offset, n);
const f64s = (b: Uint8Array, offset: number, n: number) => new Float64Array(b.buffer, b.byteOffset + offset, n);
const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

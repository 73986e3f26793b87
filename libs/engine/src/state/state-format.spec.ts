import { crc32 } from 'node:zlib';
import { SeededRandom } from '../../../../tests/support/seeded-random';
import { halfToFloat } from '../gguf/dequantize';
import { DecodedState, decodeState, encodeState, FORMAT_VERSION, HEADER, HEADER_BYTES, inspectState, KvRows, StateContents, StateGeometry } from './state-format';
import { StateFormatError, StateFormatReason } from './state-format-error';

const GEOMETRY: StateGeometry = { layerCount: 3, kvHeadCount: 2, headDim: 4, hiddenSize: 6 };
const IDENTITY = 'ab'.repeat(32);

/**
 * Shape-valid contents with random values (the format does not check the LazyLLM invariants; resume
 * does): token i has a random depth, KV rows at the layers below it, an Aux Cache entry if it stopped.
 */
function syntheticContents(seed: number, tokenCount: number, g: StateGeometry = GEOMETRY): StateContents {
  const rng = new SeededRandom(seed);
  const width = g.kvHeadCount * g.headDim;
  const tokens = Array.from({ length: tokenCount }, () => rng.below(1000));
  const depth = tokens.map(() => 1 + rng.below(g.layerCount));
  const kv = Array.from({ length: g.layerCount }, (_, l): KvRows => {
    const rows = Int32Array.from(depth.flatMap((d, t) => (d > l ? [t] : [])));
    return { tokens: rows, keys: rng.normals(rows.length * width, 0, 3), values: rng.normals(rows.length * width, 0, 3) };
  });
  return {
    modelIdentity: IDENTITY,
    geometry: g,
    tokens,
    depth,
    generated: tokens.slice(-2),
    stopTokens: [2, 7],
    schedule: { layers: [1, 2], percentiles: [30, 62.5] },
    sampling: { temperature: 0.7, topK: 40, topP: 0.95, seed: -12345 },
    rngState: 0xdeadbeef,
    maxTokens: 64,
    computedPairs: depth.reduce((a, b) => a + b, 0),
    revived: 3,
    timings: { prefillMs: 12.345678, decodeMs: 0.1 + 0.2, decodeSteps: 1 },
    finishReason: undefined,
    kv,
    aux: depth.flatMap((d, token) => (d < g.layerCount ? [{ token, depth: d, hidden: rng.normals(g.hiddenSize, 0, 1) }] : [])),
  };
}

/** Contents as plain arrays and numbers, bit-exact for floats (NaN and -0 included). */
function comparable(c: StateContents<Float32Array | Uint16Array>) {
  const bits = (a: Float32Array | Uint16Array) => (a instanceof Float32Array ? Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) : Array.from(a));
  return {
    ...c,
    tokens: Array.from(c.tokens),
    depth: Array.from(c.depth),
    generated: Array.from(c.generated),
    stopTokens: Array.from(c.stopTokens),
    kv: c.kv.map((rows) => ({ tokens: Array.from(rows.tokens), keys: bits(rows.keys), values: bits(rows.values) })),
    aux: c.aux.map((e) => ({ token: e.token, depth: e.depth, hidden: bits(e.hidden) })),
  };
}

function withoutHeader(d: DecodedState): StateContents<Float32Array | Uint16Array> {
  const { header: _header, ...contents } = d;
  return contents;
}

/** Recomputes both checksums after a deliberate edit, so that the edit, not the damage, is what decoding sees. */
function resealed(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  view.setUint32(HEADER.checksum, crc32(bytes.subarray(0, HEADER.checksum)), true);
  view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

function refusal(decode: () => unknown): StateFormatError {
  try {
    decode();
  } catch (err) {
    if (err instanceof StateFormatError) return err;
    throw err;
  }
  throw new Error('the state was accepted');
}

describe('state format', () => {
  const contents = syntheticContents(1, 40);
  const bytes = encodeState(contents, 'f32');

  it('decodes what it encoded, bit for bit', () => {
    const special = syntheticContents(2, 30);
    special.kv[0].keys.set([NaN, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38]);
    expect(comparable(withoutHeader(decodeState(encodeState(special, 'f32'))))).toEqual(comparable(special));
  });

  it('round-trips a finished generation and one without stop tokens or schedule', () => {
    const c: StateContents = { ...syntheticContents(3, 5), finishReason: 'length', stopTokens: [], schedule: { layers: [], percentiles: [] } };
    expect(comparable(withoutHeader(decodeState(encodeState(c, 'f32'))))).toEqual(comparable(c));
  });

  it.each([
    { kind: 'random', seed: 0xfffffffe },
    { kind: 'static' },
  ] as const)('round-trips the $kind pruning selection policy', (selection) => {
    const c: StateContents = { ...contents, schedule: { layers: [2], percentiles: [40], selection } };
    expect(decodeState(encodeState(c, 'f32')).schedule).toEqual(c.schedule);
  });

  it.each([
    ['KV precision', HEADER.kvPrecision, /unknown KV precision code 9/],
    ['finish reason', HEADER.finishReason, /unknown finish reason code 9/],
    ['selection policy', HEADER.selection, /unknown pruning selection policy code 9/],
    ['token count', HEADER.tokenCount, /the header's counts describe \d+ bytes but its size field says \d+/],
  ])('refuses a well-sealed state with an impossible %s', (_, field, message) => {
    const forged = bytes.slice();
    new DataView(forged.buffer).setUint32(field, 9, true);
    const e = refusal(() => decodeState(resealed(forged)));
    expect(e.reason).toBe<StateFormatReason>('inconsistent-content');
    expect(e.message).toMatch(message);
  });

  it('puts every section on an 8-byte boundary, and decodes bytes that start off one', () => {
    const decoded = decodeState(bytes);
    const arrays = [decoded.tokens, decoded.depth, decoded.generated, ...decoded.kv.flatMap((r) => [r.tokens, r.keys, r.values]), ...decoded.aux.map((e) => e.hidden)];
    for (const a of arrays) expect({ inPlace: a.buffer === bytes.buffer, misalignment: a.byteOffset % 8 }).toEqual({ inPlace: true, misalignment: 0 });
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    expect(comparable(withoutHeader(decodeState(shifted)))).toEqual(comparable(contents));
  });

  it('tells its header without reading the body', () => {
    const damagedBody = bytes.slice();
    damagedBody[bytes.length - 10] ^= 0xff;
    expect(inspectState(damagedBody)).toEqual({
      formatVersion: FORMAT_VERSION,
      modelIdentity: IDENTITY,
      geometry: GEOMETRY,
      kvPrecision: 'f32',
      tokenCount: 40,
      generatedCount: 2,
      byteSize: bytes.length,
    });
  });

  it('refuses bytes that are not a state', () => {
    const e = refusal(() => decodeState(new TextEncoder().encode('{"tokens":[1,2,3]}')));
    expect(e.reason).toBe<StateFormatReason>('bad-magic');
    expect(e.message).toMatch(/not a generation state.*"\{\\"tokens"/);
  });

  it('refuses another format version before anything else', () => {
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(HEADER.version, FORMAT_VERSION + 1, true);
    const e = refusal(() => decodeState(future.subarray(0, 100)));
    expect(e.reason).toBe<StateFormatReason>('unsupported-version');
    expect(e.message).toContain(`format version ${FORMAT_VERSION + 1}; this build reads version ${FORMAT_VERSION}`);
  });

  it.each([0, 5, 11, 12, HEADER_BYTES - 1, HEADER_BYTES, HEADER_BYTES + 1, Math.floor(bytes.length / 2), bytes.length - 1])('refuses a state cut to %i bytes as truncated', (length) => {
    const e = refusal(() => decodeState(bytes.subarray(0, length)));
    expect(e.reason).toBe<StateFormatReason>('truncated');
    expect(e.message).toMatch(new RegExp(`truncated: ${length} (of ${bytes.length} bytes|bytes, shorter than the ${HEADER_BYTES}-byte header)`));
  });

  it('refuses a state with any single byte flipped', () => {
    const reasons = new Map<string, number>();
    const copy = bytes.slice();
    for (let at = 0; at < copy.length; at++) {
      copy[at] ^= 0xff;
      const reason = refusal(() => decodeState(copy)).reason;
      const expected = at < HEADER.version ? 'bad-magic' : at < HEADER.version + 4 ? 'unsupported-version' : 'checksum-mismatch';
      if (reason !== expected) reasons.set(`${at}: ${reason}`, at);
      copy[at] ^= 0xff;
    }
    expect([...reasons.keys()]).toEqual([]);
    // A damaged size field is reported as damage, not as truncation.
    copy[HEADER.byteSize] ^= 0x01;
    expect(refusal(() => decodeState(copy)).message).toMatch(/checksum mismatch \(corrupted\): header crc32 stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
  });

  it('refuses bytes after the end of the state', () => {
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    const e = refusal(() => decodeState(longer));
    expect(e.reason).toBe<StateFormatReason>('inconsistent-content');
    expect(e.message).toContain(`3 bytes after the end of a ${bytes.length}-byte state`);
  });

  it('stores K/V rows as half in compact mode, within half rounding, and everything else exactly', () => {
    const compact = encodeState(contents, 'f16');
    const decoded = decodeState(compact);
    expect(decoded.header.kvPrecision).toBe('f16');
    let worst = 0;
    decoded.kv.forEach((rows, l) => {
      expect(rows.keys).toBeInstanceOf(Uint16Array);
      const exact = [contents.kv[l].keys, contents.kv[l].values];
      [rows.keys, rows.values].forEach((half, k) => {
        for (let i = 0; i < half.length; i++) {
          // Nearest rounding to an 11-bit significand: relative error <= 2^-11 (values here are far from subnormal).
          worst = Math.max(worst, Math.abs(halfToFloat(half[i]) - exact[k][i]) / Math.abs(exact[k][i]));
        }
      });
    });
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(2 ** -11);
    const { kv: _kv, ...rest } = comparable(withoutHeader(decoded));
    const { kv: _exactKv, ...expectedRest } = comparable(contents);
    expect(rest).toEqual(expectedRest);
    const kvBytes = contents.kv.reduce((n, rows) => n + 8 * rows.keys.length, 0);
    expect(bytes.length - compact.length).toBeGreaterThanOrEqual(kvBytes / 2 - 8 * 2 * GEOMETRY.layerCount);
  });

  it('will not write contents whose arrays disagree with the geometry', () => {
    const c = syntheticContents(4, 10);
    const bad: StateContents = { ...c, kv: c.kv.map((rows, l) => (l === 1 ? { ...rows, keys: rows.keys.subarray(1) } : rows)) };
    expect(() => encodeState(bad, 'f32')).toThrow(/layer 1: \d+ rows but \d+ keys/);
    expect(() => encodeState(c, 'bf16' as never)).toThrow(/KV precision "bf16"/);
  });
});

import { blockLayout, GgmlType, ggmlTypeName } from './ggml-types';

/** IEEE half to float, exact for every half value including subnormals. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const HALF_TABLE = (() => {
  const t = new Float32Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = halfToFloat(i);
  return t;
})();

export function f16(bytes: Uint8Array, at: number): number {
  return HALF_TABLE[bytes[at] | (bytes[at + 1] << 8)];
}

type BlockDecoder = (src: Uint8Array, at: number, out: Float32Array, o: number) => void;

/** One decoder per block type, following ggml's reference dequantize_row_* functions. */
const DECODERS: Partial<Record<GgmlType, BlockDecoder>> = {
  [GgmlType.F32]: (s, at, out, o) => {
    out[o] = new DataView(s.buffer, s.byteOffset + at, 4).getFloat32(0, true);
  },
  [GgmlType.F16]: (s, at, out, o) => {
    out[o] = f16(s, at);
  },
  [GgmlType.BF16]: (s, at, out, o) => {
    out[o] = new Float32Array(new Uint32Array([(s[at] | (s[at + 1] << 8)) << 16]).buffer)[0];
  },
  [GgmlType.Q4_0]: (s, at, out, o) => {
    const d = f16(s, at);
    for (let j = 0; j < 16; j++) {
      const q = s[at + 2 + j];
      out[o + j] = ((q & 0x0f) - 8) * d;
      out[o + j + 16] = ((q >> 4) - 8) * d;
    }
  },
  [GgmlType.Q4_1]: (s, at, out, o) => {
    const d = f16(s, at);
    const m = f16(s, at + 2);
    for (let j = 0; j < 16; j++) {
      const q = s[at + 4 + j];
      out[o + j] = (q & 0x0f) * d + m;
      out[o + j + 16] = (q >> 4) * d + m;
    }
  },
  [GgmlType.Q5_0]: (s, at, out, o) => {
    const d = f16(s, at);
    const qh = s[at + 2] | (s[at + 3] << 8) | (s[at + 4] << 16) | (s[at + 5] << 24);
    for (let j = 0; j < 16; j++) {
      const q = s[at + 6 + j];
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      out[o + j] = ((q & 0x0f) | h0) * d - 16 * d;
      out[o + j + 16] = ((q >> 4) | h1) * d - 16 * d;
    }
  },
  [GgmlType.Q5_1]: (s, at, out, o) => {
    const d = f16(s, at);
    const m = f16(s, at + 2);
    const qh = s[at + 4] | (s[at + 5] << 8) | (s[at + 6] << 16) | (s[at + 7] << 24);
    for (let j = 0; j < 16; j++) {
      const q = s[at + 8 + j];
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      out[o + j] = ((q & 0x0f) | h0) * d + m;
      out[o + j + 16] = ((q >> 4) | h1) * d + m;
    }
  },
  [GgmlType.Q8_0]: (s, at, out, o) => {
    const d = f16(s, at);
    for (let j = 0; j < 32; j++) out[o + j] = ((s[at + 2 + j] << 24) >> 24) * d;
  },
  [GgmlType.Q4_K]: (s, at, out, o) => {
    const d = f16(s, at);
    const dmin = f16(s, at + 2);
    const sc = at + 4;
    let q = at + 16;
    for (let j = 0, is = 0; j < 256; j += 64, is += 2) {
      const [sc1, m1] = scaleMinK4(s, sc, is);
      const [sc2, m2] = scaleMinK4(s, sc, is + 1);
      for (let l = 0; l < 32; l++) {
        out[o + j + l] = d * sc1 * (s[q + l] & 0x0f) - dmin * m1;
        out[o + j + 32 + l] = d * sc2 * (s[q + l] >> 4) - dmin * m2;
      }
      q += 32;
    }
  },
  [GgmlType.Q6_K]: (s, at, out, o) => {
    let ql = at;
    let qh = at + 128;
    let sc = at + 192;
    const d = f16(s, at + 208);
    for (let n = 0; n < 256; n += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const q1 = ((s[ql + l] & 0x0f) | (((s[qh + l] >> 0) & 3) << 4)) - 32;
        const q2 = ((s[ql + l + 32] & 0x0f) | (((s[qh + l] >> 2) & 3) << 4)) - 32;
        const q3 = ((s[ql + l] >> 4) | (((s[qh + l] >> 4) & 3) << 4)) - 32;
        const q4 = ((s[ql + l + 32] >> 4) | (((s[qh + l] >> 6) & 3) << 4)) - 32;
        out[o + n + l] = d * int8(s[sc + is]) * q1;
        out[o + n + l + 32] = d * int8(s[sc + is + 2]) * q2;
        out[o + n + l + 64] = d * int8(s[sc + is + 4]) * q3;
        out[o + n + l + 96] = d * int8(s[sc + is + 6]) * q4;
      }
      ql += 64;
      qh += 32;
      sc += 8;
    }
  },
};

function int8(b: number): number {
  return (b << 24) >> 24;
}

/** The 6-bit scale and min of sub-block j in a K-quant's packed 12-byte scales field. */
function scaleMinK4(s: Uint8Array, at: number, j: number): [number, number] {
  if (j < 4) return [s[at + j] & 63, s[at + j + 4] & 63];
  return [(s[at + j + 4] & 0x0f) | ((s[at + j - 4] >> 6) << 4), (s[at + j + 4] >> 4) | ((s[at + j] >> 6) << 4)];
}

export function canDequantize(type: number): boolean {
  return DECODERS[type as GgmlType] !== undefined;
}

/** Dequantize `count` elements (a whole number of blocks) starting at element `first` of a tensor's raw bytes. */
export function dequantize(type: number, bytes: Uint8Array, count: number, first = 0, out = new Float32Array(count)): Float32Array {
  const decode = DECODERS[type as GgmlType];
  const layout = blockLayout(type);
  if (!decode || !layout) throw new Error(`dequantization of ggml type ${ggmlTypeName(type)} is not supported`);
  const { blockSize, typeSize } = layout;
  if (count % blockSize !== 0 || first % blockSize !== 0) {
    throw new Error(`dequantize: ${count} elements at ${first} are not whole ${ggmlTypeName(type)} blocks of ${blockSize}`);
  }
  const firstBlock = first / blockSize;
  const blocks = count / blockSize;
  for (let b = 0; b < blocks; b++) decode(bytes, (firstBlock + b) * typeSize, out, b * blockSize);
  return out;
}

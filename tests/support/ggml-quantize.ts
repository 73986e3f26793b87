import { GgmlType } from '@lazyllm/engine/gguf/ggml-types';

/**
 * Encoders for the tensor types the tiny model is written in, following ggml's reference
 * quantize_row_*_ref functions (ggml-quants.c) step for step, in float32 arithmetic, so the bytes are
 * what llama.cpp's own quantizer would produce for the same floats.
 */

const QK = 32;
/**
 * Math's functions are bound once here: under jest every global lookup inside a hot loop goes through
 * the test context's interceptors and keeps V8 from optimizing it (measured ~20x slower).
 */
const { abs, floor, fround: f32, max: larger, min: smaller, sign, trunc } = Math;
const scratch = new DataView(new ArrayBuffer(4));

/** fp32 -> IEEE half bits, round to nearest even (ggml's GGML_FP32_TO_FP16), with subnormals and overflow to inf. */
export function floatToHalf(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Below 2^-25 even rounding up cannot reach the smallest subnormal (2^-24); exactly 2^-25 ties to 0.
    if (halfExponent < -10) return sign;
    return sign | roundShift(mantissa | 0x800000, 14 - halfExponent);
  }
  // A carry out of the mantissa correctly bumps the exponent (and reaches inf from 65504 upwards).
  return sign | (((halfExponent << 10) | (mantissa >>> 13)) + roundBit(mantissa, 13, mantissa >>> 13));
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  return kept + roundBit(value, shift, kept);
}

/** 1 when the bits shifted out round the kept value up (more than half, or exactly half and kept is odd). */
function roundBit(value: number, shift: number, kept: number): number {
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0;
}

function writeHalf(out: Uint8Array, at: number, value: number): void {
  const h = floatToHalf(value);
  out[at] = h & 0xff;
  out[at + 1] = h >>> 8;
}

/** Element j goes to the low nibble and element j+16 to the high nibble of byte j (ggml's Q4 layout). */
function packNibbles(codes: (j: number) => number, out: Uint8Array, at: number): void {
  for (let j = 0; j < QK / 2; j++) out[at + j] = codes(j) | (codes(j + QK / 2) << 4);
}

function quantizeBlockQ4_0(x: Float32Array, out: Uint8Array, at: number): void {
  let amax = 0;
  let max = 0;
  for (const v of x) {
    if (amax < abs(v)) {
      amax = abs(v);
      max = v;
    }
  }
  const d = f32(max / -8);
  const id = d ? f32(1 / d) : 0;
  writeHalf(out, at, d);
  packNibbles((j) => smaller(15, trunc(f32(f32(x[j] * id) + 8.5))), out, at + 2);
}

function quantizeBlockQ4_1(x: Float32Array, out: Uint8Array, at: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const d = f32(f32(max - min) / 15);
  const id = d ? f32(1 / d) : 0;
  writeHalf(out, at, d);
  writeHalf(out, at + 2, min);
  packNibbles((j) => smaller(15, trunc(f32(f32(f32(x[j] - min) * id) + 0.5))), out, at + 4);
}

function quantizeBlockQ8_0(x: Float32Array, out: Uint8Array, at: number): void {
  let amax = 0;
  for (const v of x) amax = larger(amax, abs(v));
  const d = f32(amax / 127);
  const id = d ? f32(1 / d) : 0;
  writeHalf(out, at, d);
  for (let j = 0; j < QK; j++) {
    const v = f32(x[j] * id);
    // C roundf: halves away from zero.
    out[at + 2 + j] = (sign(v) * floor(abs(v) + 0.5)) & 0xff;
  }
}

const BLOCK_QUANTIZERS = {
  [GgmlType.Q4_0]: { typeSize: 18, quantize: quantizeBlockQ4_0 },
  [GgmlType.Q4_1]: { typeSize: 20, quantize: quantizeBlockQ4_1 },
  [GgmlType.Q8_0]: { typeSize: 34, quantize: quantizeBlockQ8_0 },
};

export type WritableType = GgmlType.F32 | GgmlType.F16 | keyof typeof BLOCK_QUANTIZERS;

/** The bytes of a tensor of `type` holding `values` (whose count must be whole blocks for the quantized types). */
export function encodeTensor(type: WritableType, values: Float32Array): Uint8Array {
  if (type === GgmlType.F32) return new Uint8Array(values.slice().buffer);
  if (type === GgmlType.F16) {
    const out = new Uint8Array(values.length * 2);
    values.forEach((v, i) => writeHalf(out, 2 * i, v));
    return out;
  }
  if (values.length % QK !== 0) throw new Error(`${values.length} values are not whole blocks of ${QK}`);
  const { typeSize, quantize } = BLOCK_QUANTIZERS[type];
  const out = new Uint8Array((values.length / QK) * typeSize);
  for (let b = 0; b < values.length / QK; b++) quantize(values.subarray(b * QK, (b + 1) * QK), out, b * typeSize);
  return out;
}

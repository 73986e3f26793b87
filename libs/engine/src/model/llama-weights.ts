import { dequantize } from '../gguf/dequantize';
import { GgufError, GgufFile } from '../gguf/gguf-reader';
import { LlamaConfig } from './llama-config';
import { linearWeight, LinearWeight } from './linear-weights';

export interface LayerWeights {
  readonly attnNorm: Float32Array;
  readonly q: LinearWeight;
  readonly k: LinearWeight;
  readonly v: LinearWeight;
  readonly o: LinearWeight;
  readonly ffnNorm: Float32Array;
  readonly gate: LinearWeight;
  readonly up: LinearWeight;
  readonly down: LinearWeight;
}

function tensor(f: GgufFile, name: string, expected: number[]) {
  const t = f.tensors.get(name);
  if (!t) throw new GgufError(f.path, `missing tensor "${name}"`);
  if (t.dims.length !== expected.length || t.dims.some((d, i) => d !== expected[i])) {
    throw new GgufError(f.path, `tensor "${name}" has shape [${t.dims}], expected [${expected}]`);
  }
  return t;
}

export function vectorWeight(f: GgufFile, name: string, size: number): Float32Array {
  const t = tensor(f, name, [size]);
  return dequantize(t.type, f.tensorData(name), size);
}

export function matrixWeight(f: GgufFile, name: string, k: number, n: number): LinearWeight {
  const t = tensor(f, name, [k, n]);
  return linearWeight(t.type, f.tensorData(name), k, n);
}

export function layerWeights(f: GgufFile, c: LlamaConfig, layer: number): LayerWeights {
  const p = `blk.${layer}.`;
  const e = c.hiddenSize;
  const kv = c.kvHeadCount * c.headDim;
  return {
    attnNorm: vectorWeight(f, `${p}attn_norm.weight`, e),
    q: matrixWeight(f, `${p}attn_q.weight`, e, c.headCount * c.headDim),
    k: matrixWeight(f, `${p}attn_k.weight`, e, kv),
    v: matrixWeight(f, `${p}attn_v.weight`, e, kv),
    o: matrixWeight(f, `${p}attn_output.weight`, c.headCount * c.headDim, e),
    ffnNorm: vectorWeight(f, `${p}ffn_norm.weight`, e),
    gate: matrixWeight(f, `${p}ffn_gate.weight`, e, c.intermediateSize),
    up: matrixWeight(f, `${p}ffn_up.weight`, e, c.intermediateSize),
    down: matrixWeight(f, `${p}ffn_down.weight`, c.intermediateSize, e),
  };
}

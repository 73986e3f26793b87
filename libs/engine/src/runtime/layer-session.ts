import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Intra-op threads per session (the machine's cores by default). */
  readonly threads?: number;
}

/** One onnxruntime session for one graph; sequential execution, all graph optimizations. */
export function createSession(model: Uint8Array, opts: SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: opts.threads ?? 0,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
  });
}

export function floatTensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export function int64Tensor(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(Array.from(values, BigInt)), dims);
}

export function floatData(t: ort.Tensor | undefined, name: string): Float32Array {
  if (!t || t.type !== 'float32') throw new Error(`session output "${name}" missing or not float32`);
  return t.data as Float32Array;
}

import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Intra-op threads per session (the machine's cores by default). */
  readonly threads?: number;
  /**
   * Let the session's pool threads spin after a run. Every layer has its own session and pool, so
   * threads spinning after one layer steal the cores from the next: measured on 2 cores, 30 layers,
   * one decode token, 45 ms per step without spinning and 545-1008 ms with it. For wide inputs a
   * layer runs for hundreds of ms and spinning between an op's parallel sections pays off.
   */
  readonly spinning?: boolean;
}

/** One onnxruntime session for one graph; sequential execution, all graph optimizations. */
export function createSession(model: Uint8Array, opts: SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: opts.threads ?? 0,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Each session's arena would keep the largest size it ever needed, for every layer: measured
    // 4.3 GB RSS after a 2.4k-token prefill with arenas, 12.6 GB and growing at 4k.
    enableCpuMemArena: false,
    extra: { session: { intra_op: { allow_spinning: opts.spinning === false ? '0' : '1' } } },
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

import * as ort from 'onnxruntime-node';

/**
 * Turns off onnxruntime's CPU memory arena for every session created from now on. Each decoder layer
 * has its own sessions, and each session's arena keeps the peak size it ever needed; at 40 documents
 * (~4.9k tokens) the 30 layers' arenas outgrow the machine (measured, 2 threads: 4.3 GB RSS after one
 * 2.4k-token prefill, over 8 GB and climbing at 4.8k, where an earlier run was OOM-killed at 21 GB;
 * without the arena 2.3 GB peak at 4.8k, prefill time unchanged within noise). The engine's
 * runtime/layer-session.ts should make this its default; until then the benchmark applies it here.
 */
export function disableMemoryArena(): void {
  const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (model: Uint8Array, options?: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;
  (ort.InferenceSession as unknown as { create: typeof create }).create = (model, options) => create(model, { ...options, enableCpuMemArena: false });
}

import { validateSampling } from '../generation/sampler';
import type { LlamaConfig } from '../model/llama-config';
import { validateSchedule } from '../pruning/pruning-schedule';
import { StateFormatError } from './state-format-error';
import type { StateContents, StateGeometry, StateHeader } from './state-format';

// What a decoded state must satisfy before a generation resumes from it.

export function geometryOf(c: LlamaConfig): StateGeometry {
  return { layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim, hiddenSize: c.hiddenSize };
}

/**
 * Geometry first: it tells a state of another architecture apart from one of the same architecture
 * with other weights (another quantization or fine-tune), which only the identity can.
 */
export function checkModelMatch(header: StateHeader, model: { readonly identity: string; readonly config: LlamaConfig }): void {
  const ours = geometryOf(model.config);
  const theirs = header.geometry;
  if (theirs.layerCount !== ours.layerCount || theirs.kvHeadCount !== ours.kvHeadCount || theirs.headDim !== ours.headDim || theirs.hiddenSize !== ours.hiddenSize) {
    throw new StateFormatError('geometry-mismatch', `state has ${describe(theirs)}, model has ${describe(ours)}`);
  }
  if (header.modelIdentity !== model.identity) {
    throw new StateFormatError('model-mismatch', `state was written by model ${short(header.modelIdentity)}, this model is ${short(model.identity)} (sha256 of the GGUF)`);
  }
}

/**
 * The invariants a generation keeps between steps (docs/LAZYLLM.md): a token of depth d has exactly one
 * KV row at each layer below d and an Aux Cache entry at d unless d = L, every row is a computed pair,
 * and the generated tokens, except one not yet fed, end the token sequence.
 */
export function checkConsistency(s: StateContents<Float32Array | Uint16Array>, config: LlamaConfig): void {
  const { layerCount } = s.geometry;
  const tokenCount = s.tokens.length;
  if (tokenCount === 0) inconsistent('the state holds no tokens');
  if (tokenCount > config.contextLength) inconsistent(`${tokenCount} tokens exceed the model's context of ${config.contextLength}`);
  checkTokenIds('token', s.tokens, config.vocabSize);
  checkTokenIds('generated token', s.generated, config.vocabSize);

  // atOrBelow[l]: tokens of depth <= l, so tokens with KV at layer l number tokenCount - atOrBelow[l].
  const atOrBelow = new Int32Array(layerCount + 1);
  for (let i = 0; i < tokenCount; i++) {
    const d = s.depth[i];
    if (!Number.isInteger(d) || d < 1 || d > layerCount) inconsistent(`token at position ${i} has depth ${d}, outside 1..${layerCount}`);
    atOrBelow[d]++;
  }
  for (let l = 1; l <= layerCount; l++) atOrBelow[l] += atOrBelow[l - 1];

  let rows = 0;
  const seenAt = new Int32Array(tokenCount).fill(-1);
  s.kv.forEach((layer, l) => {
    for (const t of layer.tokens) {
      if (t < 0 || t >= tokenCount) inconsistent(`layer ${l} has a KV row for position ${t}, beyond the ${tokenCount} tokens`);
      if (s.depth[t] <= l) inconsistent(`layer ${l} has a KV row for position ${t}, whose depth is ${s.depth[t]}`);
      if (seenAt[t] === l) inconsistent(`layer ${l} has two KV rows for position ${t}`);
      seenAt[t] = l;
    }
    const expected = tokenCount - atOrBelow[l];
    if (layer.tokens.length !== expected) inconsistent(`layer ${l} has ${layer.tokens.length} KV rows, but ${expected} tokens have depth > ${l}`);
    rows += layer.tokens.length;
  });
  if (rows !== s.computedPairs) inconsistent(`${rows} KV rows, but ${s.computedPairs} (token, layer) pairs computed`);

  let previous = -1;
  for (const e of s.aux) {
    if (e.token <= previous || e.token >= tokenCount) inconsistent(`Aux Cache entry for position ${e.token} is out of order or beyond the ${tokenCount} tokens`);
    if (e.depth !== s.depth[e.token] || e.depth >= layerCount) inconsistent(`Aux Cache entry for position ${e.token} is at depth ${e.depth}, the token's depth is ${s.depth[e.token]}`);
    previous = e.token;
  }
  const stopped = atOrBelow[layerCount - 1];
  if (s.aux.length !== stopped) inconsistent(`${s.aux.length} Aux Cache entries for ${stopped} tokens not computed through every layer`);

  checkParams(s, layerCount);
  checkGeneratedTail(s);
}

function checkParams(s: StateContents<Float32Array | Uint16Array>, layerCount: number): void {
  try {
    validateSchedule(s.schedule, layerCount);
    validateSampling(s.sampling);
  } catch (err) {
    inconsistent((err as Error).message);
  }
  if (!Number.isInteger(s.maxTokens) || s.maxTokens < 1) inconsistent(`maxTokens ${s.maxTokens} is not an integer >= 1`);
  if (s.generated.length > s.maxTokens) inconsistent(`${s.generated.length} generated tokens exceed maxTokens ${s.maxTokens}`);
  if (s.finishReason === undefined && (s.generated.length === 0 || s.generated.length === s.maxTokens)) {
    inconsistent(`a running generation with ${s.generated.length} of ${s.maxTokens} tokens generated`);
  }
  const counters = { revived: s.revived, decodeSteps: s.timings.decodeSteps };
  for (const [name, value] of Object.entries(counters)) if (!Number.isInteger(value) || value < 0) inconsistent(`${name} ${value} is not a count`);
  const times = { prefillMs: s.timings.prefillMs, decodeMs: s.timings.decodeMs };
  for (const [name, value] of Object.entries(times)) if (!(value >= 0 && Number.isFinite(value))) inconsistent(`${name} ${value} is not a duration`);
}

/** Every generated token was fed back as the next step's input, except the last unless a stop token ended the run. */
function checkGeneratedTail(s: StateContents<Float32Array | Uint16Array>): void {
  const fed = s.finishReason === 'stop' ? s.generated.length : Math.max(0, s.generated.length - 1);
  const promptLength = s.tokens.length - fed;
  if (promptLength < 1) inconsistent(`${s.tokens.length} tokens cannot hold a prompt and ${fed} fed generated tokens`);
  for (let i = 0; i < fed; i++) {
    if (s.tokens[promptLength + i] !== s.generated[i]) inconsistent(`generated token ${i} (${s.generated[i]}) is not the token at position ${promptLength + i} (${s.tokens[promptLength + i]})`);
  }
}

function checkTokenIds(what: string, ids: ArrayLike<number>, vocabSize: number): void {
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= vocabSize) inconsistent(`${what} ${i} has id ${ids[i]}, outside the vocabulary of ${vocabSize}`);
  }
}

function inconsistent(detail: string): never {
  throw new StateFormatError('inconsistent-content', detail);
}

function describe(g: StateGeometry): string {
  return `${g.layerCount} layers, ${g.kvHeadCount} KV heads of ${g.headDim}, hidden size ${g.hiddenSize}`;
}

const short = (identity: string) => `${identity.slice(0, 12)}…`;

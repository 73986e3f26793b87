import { loadTinyModel, makeScratchDir, TinyModel } from '../../../../tests/support/tiny-fixture';
import { GgmlType } from '../gguf/ggml-types';
import { Generation, GenerationParams } from '../generation/generation';
import { LlamaModel } from '../runtime/llama-model';
import { resumeGeneration, serializeGeneration } from './generation-codec';
import { StateFormatError } from './state-format-error';
import { decodeState, encodeState, inspectState, StateContents } from './state-format';

/** Serialize a tiny-model generation mid-way, resume it in a fresh model instance, and compare with the run that was never interrupted. */
const PARAMS: GenerationParams = {
  maxTokens: 30,
  // Sampling, not greedy: the continuation then also depends on the restored rng state.
  sampling: { temperature: 0.9, topK: 20, topP: 0.95, seed: 1234 },
  stopTokens: [0],
  schedule: { layers: [1, 2, 3], percentiles: [30, 40, 50] },
};
const PROMPT = 'Tell me a story about a cat that lived in the old mill by the river, and what it ate in the morning.';
const STEPS_BEFORE_HANDOFF = 6;

const scratch = makeScratchDir();
let tiny: TinyModel;
let freshInstance: LlamaModel;
let otherWeights: TinyModel;

beforeAll(async () => {
  tiny = await loadTinyModel(scratch.path, 'q4_0', { weightType: GgmlType.Q4_0 });
  freshInstance = await LlamaModel.load({ modelPath: tiny.path, threads: 1 });
  otherWeights = await loadTinyModel(scratch.path, 'other', { weightType: GgmlType.Q4_0, seed: 99 });
});
afterAll(async () => {
  await Promise.all([tiny?.engine.release(), freshInstance?.release(), otherWeights?.engine.release()]);
  scratch.remove();
});

async function generationAfter(steps: number, params = PARAMS): Promise<Generation> {
  const g = await Generation.start(tiny.engine, tiny.chatPrompt(PROMPT), params);
  for (let i = 0; i < steps; i++) await g.step();
  return g;
}

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Everything a generation holds, floats as raw bytes so that equality is bit-exact. */
function snapshot(g: Generation) {
  const s = g.state;
  return {
    tokens: [...s.tokens],
    depth: [...s.depth],
    computedPairs: s.computedPairs,
    schedule: s.schedule,
    kv: s.kv.map((store) => ({
      tokens: Array.from(store.tokens),
      keys: bytesOf(store.keys.subarray(0, store.count * store.width)),
      values: bytesOf(store.values.subarray(0, store.count * store.width)),
    })),
    aux: s.aux.sorted().map(([token, e]) => ({ token, depth: e.depth, hidden: bytesOf(e.hidden) })),
    generated: [...g.generated],
    finishReason: g.finishReason,
    revived: g.revived,
    sampling: g.sampler.params,
    rngState: g.sampler.rngState,
    maxTokens: g.params.maxTokens,
    stopTokens: [...(g.params.stopTokens ?? [])],
  };
}

function refusal(resume: () => unknown): StateFormatError {
  try {
    resume();
  } catch (err) {
    if (err instanceof StateFormatError) return err;
    throw err;
  }
  throw new Error('the state was accepted');
}

describe('serializeGeneration / resumeGeneration', () => {
  it('restores everything a generation holds, in a fresh model instance', async () => {
    const original = await generationAfter(STEPS_BEFORE_HANDOFF);
    // The handoff carries what makes LazyLLM state special: pruned tokens parked in the Aux Cache, revivals so far.
    expect(original.state.aux.size).toBeGreaterThan(0);
    expect(original.revived).toBeGreaterThan(0);
    expect(original.sampler.rngState).not.toBe(PARAMS.sampling!.seed);

    const resumed = resumeGeneration(freshInstance, serializeGeneration(original));
    expect(snapshot(resumed)).toEqual(snapshot(original));
    expect(resumed.timings).toEqual(original.timings);
    expect(resumed.model).toBe(freshInstance);
  });

  it('continues exactly like the generation that was never interrupted', async () => {
    const original = await generationAfter(STEPS_BEFORE_HANDOFF);
    const resumed = resumeGeneration(freshInstance, serializeGeneration(original));
    await Promise.all([original.finish(), resumed.finish()]);
    expect(original.generated.length).toBeGreaterThan(STEPS_BEFORE_HANDOFF + 10);
    expect(snapshot(resumed)).toEqual(snapshot(original));
  });

  it.each([
    { kind: 'random', seed: 5 },
    { kind: 'static' },
  ] as const)('carries the $kind baseline selection policy over the handoff', async (selection) => {
    const params = { ...PARAMS, schedule: { layers: [2], percentiles: [50], selection } };
    const original = await generationAfter(STEPS_BEFORE_HANDOFF, params);
    const resumed = resumeGeneration(freshInstance, serializeGeneration(original));
    expect(resumed.state.schedule).toEqual(params.schedule);
    await Promise.all([original.finish(), resumed.finish()]);
    expect(snapshot(resumed)).toEqual(snapshot(original));
  });

  it('restores a finished generation as finished', async () => {
    const finished = await generationAfter(0, { ...PARAMS, maxTokens: 1 });
    expect(finished.finishReason).toBe('length');
    const resumed = resumeGeneration(freshInstance, serializeGeneration(finished));
    expect(resumed.done).toBe(true);
    expect(await resumed.step()).toBeUndefined();
    expect(snapshot(resumed)).toEqual(snapshot(finished));
  });

  it('restores a generation ended by a stop token', async () => {
    const tokens = await (await generationAfter(0, { ...PARAMS, stopTokens: [] })).finish();
    const stopped = await generationAfter(PARAMS.maxTokens, { ...PARAMS, stopTokens: [tokens[5]] });
    expect(stopped.finishReason).toBe('stop');
    const resumed = resumeGeneration(freshInstance, serializeGeneration(stopped));
    expect(resumed.done).toBe(true);
    expect(snapshot(resumed)).toEqual(snapshot(stopped));
  });

  it('reports the resumed steps to the given observer', async () => {
    const bytes = serializeGeneration(await generationAfter(1));
    const layers: number[] = [];
    await resumeGeneration(freshInstance, bytes, { observer: { onLayer: (l) => layers.push(l) } }).step();
    expect(layers).toEqual([0, 1, 2, 3]);
  });

  it('states its header for logs', async () => {
    const g = await generationAfter(2);
    const bytes = serializeGeneration(g, { kvPrecision: 'f16' });
    expect(inspectState(bytes)).toMatchObject({ modelIdentity: tiny.engine.identity, tokenCount: g.state.length, generatedCount: 3, kvPrecision: 'f16', byteSize: bytes.length });
  });

  it('in compact mode keeps K/V within half rounding and everything else exact', async () => {
    const original = await generationAfter(STEPS_BEFORE_HANDOFF);
    const lossless = serializeGeneration(original);
    const compact = serializeGeneration(original, { kvPrecision: 'f16' });
    const resumed = resumeGeneration(freshInstance, compact);
    let worst = 0;
    original.state.kv.forEach((store, l) => {
      const back = resumed.state.kv[l];
      expect(Array.from(back.tokens)).toEqual(Array.from(store.tokens));
      for (const [exact, half] of [[store.keys, back.keys], [store.values, back.values]]) {
        for (let i = 0; i < store.count * store.width; i++) {
          // Half rounding: relative 2^-11 for normal halves, absolute 2^-25 below them.
          worst = Math.max(worst, Math.abs(half[i] - exact[i]) / Math.max(Math.abs(exact[i]), 2 ** -14));
        }
      }
    });
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(2 ** -11);
    const { kv: _kv, ...rest } = snapshot(resumed);
    const { kv: _exactKv, ...expectedRest } = snapshot(original);
    expect(rest).toEqual(expectedRest);
    expect(compact.length).toBeLessThan(0.6 * lossless.length);
    expect((await resumed.finish()).length).toBe(resumed.generated.length);
  });

  it("refuses a state written by another model of the same geometry, naming both", async () => {
    const bytes = serializeGeneration(await generationAfter(1));
    const e = refusal(() => resumeGeneration(otherWeights.engine, bytes));
    expect(e.reason).toBe('model-mismatch');
    expect(e.message).toContain(`model identity mismatch: state was written by model ${tiny.engine.identity.slice(0, 12)}…, this model is ${otherWeights.engine.identity.slice(0, 12)}…`);
  });

  it('refuses a damaged state', async () => {
    const bytes = serializeGeneration(await generationAfter(1));
    for (const at of [30, 300, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const damaged = bytes.slice();
      damaged[at] ^= 0x10;
      expect(refusal(() => resumeGeneration(freshInstance, damaged)).reason).toBe('checksum-mismatch');
    }
    expect(refusal(() => resumeGeneration(freshInstance, bytes.subarray(0, bytes.length - 100))).reason).toBe('truncated');
  });

  it('refuses a well-framed state whose content contradicts itself', async () => {
    const decoded = decodeState(serializeGeneration(await generationAfter(STEPS_BEFORE_HANDOFF)));
    const deeper = Int32Array.from(decoded.depth);
    const shallow = deeper.findIndex((d) => d < 4);
    deeper[shallow]++;
    const forged = encodeState({ ...decoded, depth: deeper } as StateContents, 'f32');
    const e = refusal(() => resumeGeneration(freshInstance, forged));
    expect(e.reason).toBe('inconsistent-content');
    expect(e.message).toMatch(new RegExp(`inconsistent content: layer ${decoded.depth[shallow]} has \\d+ KV rows, but \\d+ tokens have depth > ${decoded.depth[shallow]}`));
  });
});

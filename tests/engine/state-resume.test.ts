import { nqPassages } from '@lazyllm/datasets';
import {
  argmax, Generation, GenerationState, LlamaModel, PruningSchedule, readGguf, resolveModelPath, resumeGeneration, runLazyStep, serializeGeneration, StateFormatError, Tokenizer,
} from '@lazyllm/engine';
import { loadTinyModel, makeScratchDir, TinyModel } from '../support/tiny-fixture';

/**
 * The prefill -> decode handoff on the real model: a pruned LazyLLM generation is serialized after
 * its first token and after a few decode steps, resumed in another LlamaModel instance, and must
 * continue exactly as the run that was never interrupted. The compact (fp16 K/V) mode is measured.
 */
const THREADS = 2;
const PROMPT_TOKENS = 300;
const SCHEDULE: PruningSchedule = { layers: [4, 10, 16], percentiles: [30, 50, 60] };
const TOKENS = 32;
const LATER_HANDOFF = 4;

let prefillModel: LlamaModel;
let decodeModel: LlamaModel;
let prompt: number[];
/** The uninterrupted run, and its state serialized after `generated.length - 1` decode steps. */
let uninterrupted: Generation;
const lossless = new Map<number, Uint8Array>();
let compactAfterFirst: Uint8Array;

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

beforeAll(async () => {
  [prefillModel, decodeModel] = await Promise.all([LlamaModel.load({ threads: THREADS }), LlamaModel.load({ threads: THREADS })]);
  const tokenizer = Tokenizer.fromGguf(readGguf(resolveModelPath()));
  prompt = tokenizer.encode(nqPassages(1, 4)[0]).slice(0, PROMPT_TOKENS);
  expect(prompt).toHaveLength(PROMPT_TOKENS);

  uninterrupted = await Generation.start(prefillModel, prompt, { maxTokens: TOKENS, schedule: SCHEDULE });
  lossless.set(0, serializeGeneration(uninterrupted));
  compactAfterFirst = serializeGeneration(uninterrupted, { kvPrecision: 'f16' });
  for (let step = 1; step <= LATER_HANDOFF; step++) await uninterrupted.step();
  lossless.set(LATER_HANDOFF, serializeGeneration(uninterrupted));
  await uninterrupted.finish();
}, 300_000);

afterAll(async () => {
  await Promise.all([prefillModel?.release(), decodeModel?.release()]);
});

/** Logits of every step of the same greedy run, driven step by step without a Generation. */
async function stepLogits(steps: number): Promise<Float32Array[]> {
  const state = GenerationState.forModel(prefillModel.config, SCHEDULE);
  const logits: Float32Array[] = [];
  let input = prompt;
  for (let step = 0; step < steps; step++) {
    const result = await runLazyStep(prefillModel, state, input);
    logits.push(result.logits);
    input = [argmax(result.logits)];
  }
  return logits;
}

/** Where two float arrays first differ, or undefined when they are bit-identical. */
function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  if (bytesOf(a).equals(bytesOf(b))) return undefined;
  const i = a.findIndex((v, k) => !Object.is(v, b[k]));
  return `length ${a.length} vs ${b.length}, first difference at ${i}: ${a[i]} vs ${b[i]}`;
}

describe('generation state handoff on the real model', () => {
  it('hands over a state in which LazyLLM dropped tokens', () => {
    const first = resumeGeneration(decodeModel, lossless.get(0)!);
    expect(first.state.computedShare).toBeLessThan(0.8);
    expect(first.state.aux.size).toBeGreaterThan(0);
    expect(uninterrupted.generated).toHaveLength(TOKENS);
    expect(uninterrupted.revived).toBeGreaterThan(0);
  });

  it('resumed after the first token and after a few decode steps, gives the next logits bit for bit', async () => {
    const expected = await stepLogits(LATER_HANDOFF + 2);
    expect(expected.map((l) => argmax(l))).toEqual(uninterrupted.generated.slice(0, LATER_HANDOFF + 2));
    for (const [handoff, bytes] of lossless) {
      const resumed = resumeGeneration(decodeModel, bytes);
      const next = await runLazyStep(decodeModel, resumed.state, [resumed.generated[handoff]]);
      expect({ handoff, difference: firstDifference(next.logits, expected[handoff + 1]) }).toEqual({ handoff, difference: undefined });
    }
  }, 120_000);

  it.each([0, LATER_HANDOFF])('resumed after %i decode steps, continues with the same tokens and ends in the same state', async (handoff) => {
    const resumed = resumeGeneration(decodeModel, lossless.get(handoff)!);
    await resumed.finish();
    expect(resumed.generated).toEqual(uninterrupted.generated);
    expect(resumed.revived).toBe(uninterrupted.revived);
    expect(resumed.state.depth).toEqual(uninterrupted.state.depth);
    expect(resumed.state.computedPairs).toBe(uninterrupted.state.computedPairs);
    resumed.state.kv.forEach((store, l) => {
      const theirs = uninterrupted.state.kv[l];
      expect({ l, tokens: Array.from(store.tokens) }).toEqual({ l, tokens: Array.from(theirs.tokens) });
      expect({ l, keys: firstDifference(store.keys.subarray(0, store.count * store.width), theirs.keys.subarray(0, theirs.count * theirs.width)) }).toEqual({ l, keys: undefined });
    });
  }, 120_000);

  it(`in compact mode, measures how many of ${TOKENS} greedy tokens match`, async () => {
    const resumed = resumeGeneration(decodeModel, compactAfterFirst);
    await resumed.finish();
    const same = resumed.generated.filter((t, i) => t === uninterrupted.generated[i]).length;
    let prefix = 0;
    while (prefix < TOKENS && resumed.generated[prefix] === uninterrupted.generated[prefix]) prefix++;
    const sizes = `${lossless.get(0)!.length} bytes lossless, ${compactAfterFirst.length} compact`;
    console.log(`fp16 K/V handoff after the first token: ${same} of ${TOKENS} greedy tokens match the lossless run (common prefix ${prefix}); state ${sizes}`);
    expect(resumed.generated).toHaveLength(TOKENS);
    expect(compactAfterFirst.length).toBeLessThan(0.6 * lossless.get(0)!.length);
  }, 120_000);

  describe('refuses a state of another geometry', () => {
    const scratch = makeScratchDir();
    let tiny: TinyModel;
    beforeAll(async () => {
      tiny = await loadTinyModel(scratch.path, 'tiny');
    });
    afterAll(async () => {
      await tiny?.engine.release();
      scratch.remove();
    });

    it('in either direction, with both geometries in the message', async () => {
      const tinyState = serializeGeneration(await Generation.start(tiny.engine, tiny.chatPrompt('hello'), { maxTokens: 2 }));
      expect(() => resumeGeneration(decodeModel, tinyState)).toThrow(StateFormatError);
      expect(() => resumeGeneration(decodeModel, tinyState)).toThrow(
        'model geometry mismatch: state has 4 layers, 2 KV heads of 16, hidden size 64, model has 30 layers, 3 KV heads of 64, hidden size 576',
      );
      expect(() => resumeGeneration(tiny.engine, lossless.get(0)!)).toThrow('state has 30 layers, 3 KV heads of 64, hidden size 576, model has 4 layers');
    });
  });
});

import { loadTinyModel, makeScratchDir, TinyModel } from '../../../../tests/support/tiny-fixture';
import { TINY_LLAMA } from '../../../../tests/support/tiny-gguf';
import { GenerationState } from '../generation/generation-state';
import { runLazyStep, StepObserver } from '../generation/lazy-step';
import { argmax } from '../generation/sampler';
import { GgmlType } from '../gguf/ggml-types';
import { PruningSchedule } from './pruning-schedule';

/** The baseline selection policies through the real step executor, on the tiny model. */
const L = TINY_LLAMA.layerCount;
const DECODE_STEPS = 12;
const PROMPT = 'Tell me a story about a cat that lived in the old mill by the river, and what it ate in the morning.';

const scratch = makeScratchDir();
let tiny: TinyModel;
beforeAll(async () => {
  tiny = await loadTinyModel(scratch.path, 'q4_0', { weightType: GgmlType.Q4_0 });
});
afterAll(async () => {
  await tiny?.engine.release();
  scratch.remove();
});

/** Per step and layer: the tokens taking part; and every (token, layer) pair computed, with repeats counted. */
class Recorder implements StepObserver {
  readonly alive: number[][][] = [];
  readonly pairs = new Map<string, number>();
  onLayer(layer: number, computed: Int32Array, takingPart: Int32Array): void {
    if (layer === 0) this.alive.push([]);
    this.alive[this.alive.length - 1][layer] = Array.from(takingPart);
    for (const t of computed) this.pairs.set(`${t}@${layer}`, (this.pairs.get(`${t}@${layer}`) ?? 0) + 1);
  }
  get repeatedPairs(): number {
    return [...this.pairs.values()].filter((n) => n > 1).length;
  }
}

interface Run {
  readonly state: GenerationState;
  readonly recorder: Recorder;
  readonly logits: Float32Array[];
  revived: number;
}

/** Runs the schedules side by side on the same tokens: the prompt, then the first schedule's greedy choices. */
async function runTogether(schedules: PruningSchedule[]): Promise<Run[]> {
  const runs: Run[] = schedules.map((s) => ({ state: GenerationState.forModel(tiny.engine.config, s), recorder: new Recorder(), logits: [], revived: 0 }));
  let tokens = tiny.chatPrompt(PROMPT);
  for (let step = 0; step <= DECODE_STEPS; step++) {
    for (const run of runs) {
      const result = await runLazyStep(tiny.engine, run.state, tokens, { observer: run.recorder });
      run.logits.push(result.logits);
      run.revived += result.revived;
    }
    tokens = [argmax(runs[0].logits[step])];
  }
  return runs;
}

const sizes = (alive: number[][][]) => alive.map((layers) => layers.map((a) => a.length));

describe('random selection (baseline)', () => {
  it('drops as many tokens as LazyLLM at every layer of every step, but other ones, reproducibly', async () => {
    const layers = [1, 2, 3];
    const percentiles = [30, 40, 50];
    const [lazy, random, again] = await runTogether([
      { layers, percentiles },
      { layers, percentiles, selection: { kind: 'random', seed: 3 } },
      { layers, percentiles, selection: { kind: 'random', seed: 3 } },
    ]);
    expect(sizes(random.recorder.alive)).toEqual(sizes(lazy.recorder.alive));
    // Matched compute where it sets TTFT: the prefill computes the same number of (token, layer) pairs.
    const prefillPairs = (r: Run) => r.recorder.alive[0].reduce((n, a) => n + a.length, 0);
    expect(prefillPairs(random)).toBe(prefillPairs(lazy));
    expect(prefillPairs(random)).toBeLessThan(tiny.chatPrompt(PROMPT).length * L);
    expect(random.recorder.alive).not.toEqual(lazy.recorder.alive);
    // Choices are redrawn at every step, so dropped tokens come back, from the Aux Cache, once per pair.
    expect(random.revived).toBeGreaterThan(0);
    expect(random.recorder.repeatedPairs).toBe(0);
    expect(again.recorder.alive).toEqual(random.recorder.alive);
    expect(again.logits).toEqual(random.logits);
  });
});

describe('static selection (baseline)', () => {
  it('prunes once in the prefill like LazyLLM, then never chooses again and never revives', async () => {
    const k = 2;
    const [lazy, frozen] = await runTogether([
      { layers: [k], percentiles: [50] },
      { layers: [k], percentiles: [50], selection: { kind: 'static' } },
    ]);
    const promptLength = tiny.chatPrompt(PROMPT).length;
    expect(frozen.recorder.alive[0]).toEqual(lazy.recorder.alive[0]);
    const kept = frozen.recorder.alive[0][k];
    expect(kept.length).toBeLessThan(promptLength);

    frozen.recorder.alive.slice(1).forEach((layers, i) => {
      const total = promptLength + i + 1;
      const generated = Array.from({ length: i + 1 }, (_, j) => promptLength + j);
      layers.forEach((alive, l) => expect({ step: i + 1, l, alive }).toEqual({ step: i + 1, l, alive: l < k ? [...Array(total).keys()] : [...kept, ...generated] }));
    });
    expect(frozen.revived).toBe(0);
    expect(frozen.recorder.repeatedPairs).toBe(0);
    const dropped = [...Array(promptLength).keys()].filter((t) => !kept.includes(t));
    expect(dropped.map((t) => frozen.state.depth[t])).toEqual(dropped.map(() => k));
    // LazyLLM with the same schedule chooses again at each step and brings some of them back.
    expect(lazy.revived).toBeGreaterThan(0);
  });
});

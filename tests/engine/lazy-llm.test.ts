import { argmax, Generation, GenerationState, GgmlType, NO_PRUNING, PruningSchedule, runLazyStep, ScheduleError, StepObserver } from '@lazyllm/engine';
import { LazyStepAuditor } from '../support/lazy-step-auditor';
import { rowError } from '../support/logit-comparison';
import { ReferenceLazyLlm } from '../support/reference-lazy';
import { loadTinyModel, makeScratchDir, TinyModel } from '../support/tiny-fixture';
import { TINY_LLAMA } from '../support/tiny-gguf';

/**
 * LazyLLM on the tiny model: the rules of docs/LAZYLLM.md ("Behaviour that must hold") over whole
 * generations, and pruned runs against a naive JS LazyLLM on the Float64 reference.
 *
 * The reference comparison uses the exact model (F32 layers and embedding): the engine's attention
 * scores are then right to fp32 rounding (~1e-6 relative), far below the gaps between the scores
 * that decide which tokens are dropped, so both sides must choose the very same tokens; with int8
 * activations (~1% error on scores) a few of those choices become coin tosses and the runs part ways.
 * Logits agree to the fp32 bound of tiny-model.test.ts (measured 2e-5).
 */
const SCHEDULE: PruningSchedule = { layers: [1, 2, 3], percentiles: [30, 40, 50] };
const DECODE_STEPS = 36;
const EXACT_MAX_ABS = 2e-4;
/** Smallest relative gap between a kept and a dropped score for a decision to count as clear-cut. */
const CLEAR_DECISION = 1e-5;
const LONG_PROMPT = 'Tell me a story about a cat that lived in the old mill by the river, and what it ate in the morning.';

const scratch = makeScratchDir();
let quantized: TinyModel;
let exact: TinyModel;

beforeAll(async () => {
  quantized = await loadTinyModel(scratch.path, 'q4_0', { weightType: GgmlType.Q4_0 });
  exact = await loadTinyModel(scratch.path, 'exact', { weightType: GgmlType.F32, embeddingType: GgmlType.F32 });
});
afterAll(async () => {
  await Promise.all([quantized?.engine.release(), exact?.engine.release()]);
  scratch.remove();
});

/** Records which tokens each layer computed and which took part, one entry per step. */
class StepRecorder implements StepObserver {
  alive: number[][] = [];
  computed: number[][] = [];
  onLayer(layer: number, computed: Int32Array, takingPart: Int32Array): void {
    this.alive[layer] = Array.from(takingPart);
    this.computed[layer] = Array.from(computed);
  }
}

describe('LazyLLM on the tiny model', () => {
  it(`keeps its invariants over a prefill and ${DECODE_STEPS} decode steps`, async () => {
    const auditor = new LazyStepAuditor(TINY_LLAMA.layerCount, SCHEDULE);
    const prompt = quantized.chatPrompt(LONG_PROMPT);
    const g = await Generation.start(quantized.engine, prompt, { maxTokens: DECODE_STEPS + 1, schedule: SCHEDULE, observer: auditor });
    // The point of LazyLLM: the prefill skipped the later layers of the tokens it dropped.
    expect(g.state.computedPairs).toBeLessThan(prompt.length * TINY_LLAMA.layerCount);
    const stateProblems = auditor.checkState(g.state);
    while (!g.done) {
      await g.step();
      stateProblems.push(...auditor.checkState(g.state));
    }

    // Each (token, layer) at most once, never below a token's depth, last token everywhere, S(l+1) ⊆ S(l),
    // drops only at scheduled layers and by the scheduled count; KV rows and Aux Cache as observed.
    expect(auditor.violations).toEqual([]);
    expect(stateProblems).toEqual([]);
    expect(auditor.steps).toBe(1 + DECODE_STEPS);
    expect(g.generated).toHaveLength(1 + DECODE_STEPS);
    // Tokens dropped in one step come back in later ones, from where they stopped.
    expect(g.revived).toBeGreaterThan(0);
    expect(g.revived).toBe(auditor.revived);
  });

  it.each([
    { name: 'three pruning layers', schedule: SCHEDULE },
    { name: 'one late pruning layer', schedule: { layers: [2], percentiles: [60] } },
    { name: 'aggressive early, mild late', schedule: { layers: [1, 3], percentiles: [50, 20] } },
  ])('$name: a pruned run equals a naive JS LazyLLM run of the same schedule', async ({ schedule }) => {
    const { engine, reference } = exact;
    const state = GenerationState.forModel(engine.config, schedule);
    const lazy = new ReferenceLazyLlm(reference, schedule);
    let tokens = exact.chatPrompt(LONG_PROMPT);
    let revived = 0;
    let dropped = 0;
    for (let step = 0; step <= 32; step++) {
      const recorder = new StepRecorder();
      const ours = await runLazyStep(engine, state, tokens, { observer: recorder });
      const theirs = lazy.step(tokens);
      for (const margin of theirs.decisionMargins) expect(margin).toBeGreaterThan(CLEAR_DECISION);
      // Same tokens alive and computed at every layer: pruning, revival and depths agree exactly.
      expect({ step, alive: recorder.alive, computed: recorder.computed }).toEqual({ step, alive: theirs.alive, computed: theirs.computed });
      expect(ours.revived).toBe(theirs.revived);
      expect(rowError(theirs.logits, ours.logits).maxAbs).toBeLessThan(EXACT_MAX_ABS);
      revived += ours.revived;
      dropped += theirs.alive[0].length - theirs.alive.at(-1)!.length;
      tokens = [argmax(ours.logits)];
    }
    expect(state.depth).toEqual(lazy.depth);
    // The comparison covered what makes LazyLLM different from a dense run.
    expect(dropped).toBeGreaterThan(0);
    expect(revived).toBeGreaterThan(0);
  });

  it('a schedule that drops nothing gives exactly the results of no schedule', async () => {
    const { engine } = quantized;
    const prompt = quantized.chatPrompt(LONG_PROMPT);
    // Percentile 0, and 1% of fewer than 100 tokens: both drop no token.
    for (const schedule of [{ layers: [1, 2, 3], percentiles: [0, 0, 0] }, { layers: [1, 3], percentiles: [1, 1] }]) {
      const dense = GenerationState.forModel(engine.config, NO_PRUNING);
      const lazy = GenerationState.forModel(engine.config, schedule);
      let tokens = prompt;
      for (let step = 0; step < 8; step++) {
        const expected = await runLazyStep(engine, dense, tokens);
        const actual = await runLazyStep(engine, lazy, tokens);
        expect(actual.logits).toEqual(expected.logits);
        tokens = [argmax(expected.logits)];
      }
      expect(lazy.computedShare).toBe(1);
      const greedy = async (s: PruningSchedule) => (await Generation.start(engine, prompt, { maxTokens: 12, schedule: s })).finish();
      expect(await greedy(schedule)).toEqual(await greedy(NO_PRUNING));
    }
  });

  it.each([
    ['unordered layers', { layers: [2, 1], percentiles: [30, 30] }],
    ['layer 0', { layers: [0, 2], percentiles: [30, 30] }],
    ['layer L', { layers: [TINY_LLAMA.layerCount], percentiles: [30] }],
    ['percentile 100', { layers: [1], percentiles: [100] }],
    ['a negative percentile', { layers: [1], percentiles: [-10] }],
  ])('rejects a schedule with %s before computing anything', async (_, schedule) => {
    let layersRun = 0;
    const start = Generation.start(quantized.engine, quantized.chatPrompt('hello'), { maxTokens: 4, schedule, observer: { onLayer: () => layersRun++ } });
    await expect(start).rejects.toThrow(ScheduleError);
    expect(layersRun).toBe(0);
  });
});

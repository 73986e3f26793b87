import { buildMultiDocQa, multiDocPrompt, nqOpenRecords } from '@lazyllm/datasets';
import {
  argmax, ChatTemplate, defaultLazySchedule, GenerationState, LayerInput, LlamaModel, NO_PRUNING, PruningSchedule, readGguf, resolveModelPath, runLazyStep, StepObserver, Tokenizer,
} from '@lazyllm/engine';
import { LazyStepAuditor } from '../support/lazy-step-auditor';
import { rowError } from '../support/logit-comparison';

/**
 * LazyLLM on the real model (SmolLM2-135M, Q4_1) with a real multi-document QA prompt: what
 * docs/LAZYLLM.md says must hold, over a prefill and 33 decode steps in which tokens are revived.
 * The tiny-model tests (lazy-llm.test.ts) check the same rules against a naive reference; these check
 * that they hold with the real model's shapes (30 layers, the wide prefill and narrow decode graphs).
 */
const THREADS = 2;
const DOCUMENTS = 4;
const DECODE_STEPS = 33;
const NO_DROP_STEPS = 12;
const LOGIT_TOLERANCE = 1e-4;

let model: LlamaModel;
let prompt: number[];

beforeAll(async () => {
  model = await LlamaModel.load({ threads: THREADS });
  const gguf = readGguf(resolveModelPath());
  const text = multiDocPrompt(buildMultiDocQa(nqOpenRecords(), 11, { documents: DOCUMENTS, seed: 0 }));
  prompt = Tokenizer.fromGguf(gguf).encode(ChatTemplate.fromGguf(gguf).render([{ role: 'user', content: text }], { addGenerationPrompt: true }), { parseSpecial: true });
}, 120_000);

afterAll(async () => {
  await model?.release();
});

/** Replaces every value of the given rows with a different finite one. */
function scrambleRows(buffer: Float32Array, rows: readonly number[], width: number): Float32Array {
  const out = buffer.slice();
  for (const r of rows) for (let i = r * width; i < (r + 1) * width; i++) out[i] = -5 * out[i] + 0.5;
  return out;
}

/**
 * Hands the model's layers inputs whose cached K/V rows are scrambled: the rows of tokens that do not
 * take part in the layer (`which: 'dropped'`), or one row of a token that does (`'alive'`). Scrambled
 * dropped rows must change nothing; a scrambled alive row must change the result.
 */
class ScramblingModel {
  readonly model: LlamaModel;
  scrambledRows = 0;
  which: 'dropped' | 'alive' = 'dropped';
  private alive = new Set<number>();

  constructor(inner: LlamaModel, private readonly state: GenerationState) {
    const kvWidth = inner.config.kvHeadCount * inner.config.headDim;
    this.model = Object.create(inner) as LlamaModel;
    this.model.runLayer = (layer: number, input: LayerInput) => {
      const rowTokens = this.state.kv[layer].tokens;
      const rows = [...rowTokens.keys()].filter((r) => this.alive.has(rowTokens[r]) === (this.which === 'alive'));
      const chosen = this.which === 'alive' ? rows.slice(0, 1) : rows;
      this.scrambledRows += chosen.length;
      return inner.runLayer(layer, { ...input, pastKey: scrambleRows(input.pastKey, chosen, kvWidth), pastValue: scrambleRows(input.pastValue, chosen, kvWidth) });
    };
  }

  /** As the step's observer: called just before the layer runs, with the tokens taking part in it. */
  readonly observer: StepObserver = { onLayer: (_layer, _computed, takingPart) => (this.alive = new Set(takingPart)) };
}

/** What one decode step did to the tokens that were in the state before it. */
interface StepRecord {
  readonly step: number;
  readonly depthBefore: readonly number[];
  readonly depthAfter: readonly number[];
  /** Per old token computed in the step: the layer it started at, its position id, whether its input row was its Aux Cache entry. */
  readonly resumed: Map<number, { layer: number; position: number; fromAuxCache: boolean }>;
  /** Per old token: the layers at which it gained a KV row in this step. */
  readonly newRows: Map<number, number[]>;
  /** K rows that existed before the step and changed during it. */
  readonly rewrittenRows: number;
}

/**
 * Follows the tokens revived in decode steps: as the step's observer it sees which old tokens a layer
 * computes, and as a wrapper around the model the hidden rows and positions they are given; comparing
 * the KV stores before and after the step says at which layers they gained rows.
 */
class RevivalTracer implements StepObserver {
  readonly steps: StepRecord[] = [];
  readonly model: LlamaModel;
  private before?: { depth: number[]; aux: Map<number, { depth: number; hidden: Float32Array }>; keys: Map<number, Float32Array>[] };
  private resumed = new Map<number, { layer: number; position: number; fromAuxCache: boolean }>();

  constructor(inner: LlamaModel, private readonly state: GenerationState) {
    this.model = Object.create(inner) as LlamaModel;
    this.model.runLayer = (layer, input) => {
      this.noteInputs(layer, input);
      return inner.runLayer(layer, input);
    };
  }

  begin(): void {
    const w = this.state.kvWidth;
    this.before = {
      depth: [...this.state.depth],
      aux: new Map(this.state.aux.sorted().map(([t, e]) => [t, { depth: e.depth, hidden: e.hidden.slice() }])),
      keys: this.state.kv.map((store) => new Map(Array.from(store.tokens, (t, r) => [t, store.keys.slice(r * w, (r + 1) * w)]))),
    };
    this.resumed = new Map();
  }

  onLayer(layer: number, computed: Int32Array): void {
    if (!this.before) return;
    for (const t of computed) if (t < this.before.depth.length && !this.resumed.has(t)) this.resumed.set(t, { layer, position: -1, fromAuxCache: false });
  }

  end(): void {
    const before = this.before!;
    const w = this.state.kvWidth;
    const newRows = new Map<number, number[]>();
    let rewrittenRows = 0;
    this.state.kv.forEach((store, l) => {
      store.tokens.forEach((t, r) => {
        if (t >= before.depth.length) return;
        const old = before.keys[l].get(t);
        if (!old) newRows.set(t, [...(newRows.get(t) ?? []), l]);
        else if (!old.every((v, i) => v === store.keys[r * w + i])) rewrittenRows++;
      });
    });
    this.steps.push({ step: this.steps.length + 1, depthBefore: before.depth, depthAfter: [...this.state.depth], resumed: this.resumed, newRows, rewrittenRows });
    this.before = undefined;
  }

  /** Runs right after onLayer for the same layer: records what the tokens resuming there are given. */
  private noteInputs(layer: number, input: LayerInput): void {
    const before = this.before;
    if (!before) return;
    const e = this.state.hiddenSize;
    Array.from(input.positions).forEach((position, row) => {
      const resumed = this.resumed.get(position);
      if (!resumed || resumed.layer !== layer) return;
      const entry = before.aux.get(position);
      const given = input.hidden.subarray(row * e, (row + 1) * e);
      this.resumed.set(position, { layer, position, fromAuxCache: entry !== undefined && entry.depth === layer && given.every((v, i) => v === entry.hidden[i]) });
    });
  }
}

interface LazyRuns {
  readonly state: GenerationState;
  readonly auditor: LazyStepAuditor;
  readonly tracer: RevivalTracer;
  readonly pairCounts: Map<string, number>;
  readonly logits: Float32Array[];
  readonly revived: number;
  /** The same run with the dropped tokens' cached rows scrambled at every layer. */
  readonly scrambled: { readonly state: GenerationState; readonly spy: ScramblingModel; readonly logits: Float32Array[] };
}

/** The schedule over the prompt and DECODE_STEPS greedy steps, run twice side by side on the same tokens. */
async function lazyRuns(schedule: PruningSchedule): Promise<LazyRuns> {
  const state = GenerationState.forModel(model.config, schedule);
  const auditor = new LazyStepAuditor(model.config.layerCount, schedule);
  const tracer = new RevivalTracer(model, state);
  const pairCounts = new Map<string, number>();
  const observer: StepObserver = {
    onLayer: (layer, computed, takingPart) => {
      auditor.onLayer(layer, computed, takingPart);
      tracer.onLayer(layer, computed);
      for (const t of computed) pairCounts.set(`${t}@${layer}`, (pairCounts.get(`${t}@${layer}`) ?? 0) + 1);
    },
  };
  const scrambledState = GenerationState.forModel(model.config, schedule);
  const spy = new ScramblingModel(model, scrambledState);
  const logits: Float32Array[] = [];
  const scrambledLogits: Float32Array[] = [];
  let revived = 0;

  let tokens = prompt;
  for (let step = 0; step <= DECODE_STEPS; step++) {
    if (step > 0) tracer.begin();
    const result = await runLazyStep(tracer.model, state, tokens, { observer });
    if (step > 0) tracer.end();
    logits.push(result.logits);
    revived += result.revived;
    scrambledLogits.push((await runLazyStep(spy.model, scrambledState, tokens, { observer: spy.observer })).logits);
    tokens = [argmax(result.logits)];
  }
  return { state, auditor, tracer, pairCounts, logits, revived, scrambled: { state: scrambledState, spy, logits: scrambledLogits } };
}

describe('LazyLLM on SmolLM2-135M, multi-document QA prompt', () => {
  it("a schedule that drops nothing gives the plain engine's logits (within 1e-4) and greedy tokens", async () => {
    // Every layer a pruning layer at percentile 0, and at 0.1% (under one token of fewer than 1,000).
    const layers = model.config.layerCount;
    const schedules: PruningSchedule[] = [
      { layers: [8, 16, 24], percentiles: [0, 0, 0] },
      { layers: Array.from({ length: layers - 1 }, (_, i) => i + 1), percentiles: new Array<number>(layers - 1).fill(0.1) },
    ];
    expect(prompt.length).toBeLessThan(1000);
    const plain = GenerationState.forModel(model.config, NO_PRUNING);
    const states = schedules.map((s) => GenerationState.forModel(model.config, s));
    let tokens = prompt;
    let worst = 0;
    for (let step = 0; step <= NO_DROP_STEPS; step++) {
      const expected = await runLazyStep(model, plain, tokens);
      for (const state of states) {
        const actual = await runLazyStep(model, state, tokens);
        worst = Math.max(worst, rowError(expected.logits, actual.logits).maxAbs);
        expect({ step, token: argmax(actual.logits) }).toEqual({ step, token: argmax(expected.logits) });
      }
      tokens = [argmax(expected.logits)];
    }
    expect(worst).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    for (const state of states) {
      expect(state.computedShare).toBe(1);
      expect(state.tokens).toEqual(plain.tokens);
    }
  }, 120_000);

  describe(`the default schedule over a prefill and ${DECODE_STEPS} decode steps`, () => {
    let runs: LazyRuns;
    beforeAll(async () => {
      runs = await lazyRuns(defaultLazySchedule(model.config.layerCount));
    }, 300_000);

    it('computes every (token, layer) pair at most once, revival included', () => {
      const repeated = [...runs.pairCounts].filter(([, n]) => n > 1);
      expect(repeated).toEqual([]);
      const pairs = [...runs.pairCounts.values()].reduce((a, b) => a + b, 0);
      expect(pairs).toBe(runs.state.computedPairs);
      expect(pairs).toBeLessThan(runs.state.length * model.config.layerCount);
      expect(runs.auditor.violations).toEqual([]);
      expect(runs.auditor.checkState(runs.state)).toEqual([]);
      expect(runs.auditor.steps).toBe(1 + DECODE_STEPS);
      // Revival happened in the run, many times: the count above includes tokens brought back.
      expect(runs.revived).toBeGreaterThan(DECODE_STEPS);
      expect(runs.revived).toBe(runs.auditor.revived);
    });

    it('excludes dropped tokens from attention where they are dropped, even over KV rows an older step left', () => {
      const { scrambled } = runs;
      // Decode steps met stale rows of dropped tokens; scrambling them changed nothing, bit for bit.
      expect(scrambled.spy.scrambledRows).toBeGreaterThan(0);
      scrambled.logits.forEach((logits, step) => expect({ step, maxAbs: rowError(runs.logits[step], logits).maxAbs }).toEqual({ step, maxAbs: 0 }));
      expect(scrambled.state.depth).toEqual(runs.state.depth);
    });

    it('the same scrambling of a row that takes part changes the result (the check above can fail)', async () => {
      const { scrambled } = runs;
      const next = [argmax(runs.logits[runs.logits.length - 1])];
      scrambled.spy.which = 'alive';
      const plain = await runLazyStep(model, runs.state, next);
      const scrambledRow = await runLazyStep(scrambled.spy.model, scrambled.state, next, { observer: scrambled.spy.observer });
      expect(rowError(plain.logits, scrambledRow.logits).maxAbs).toBeGreaterThan(1e-3);
    }, 60_000);

    it('revives tokens from their Aux Cache entry at their own position, adding KV at exactly the layers they missed', () => {
      let revivedTokens = 0;
      for (const s of runs.tracer.steps) {
        for (const [t, resumed] of s.resumed) {
          revivedTokens++;
          // It starts where it stopped, from the hidden state parked there, at its original position.
          expect({ step: s.step, t, ...resumed }).toEqual({ step: s.step, t, layer: s.depthBefore[t], position: t, fromAuxCache: true });
          const missed = Array.from({ length: s.depthAfter[t] - s.depthBefore[t] }, (_, k) => s.depthBefore[t] + k);
          expect({ step: s.step, t, layers: s.newRows.get(t) }).toEqual({ step: s.step, t, layers: missed });
        }
        // Old tokens that were not computed gained no rows, and no existing row was rewritten.
        expect([...s.newRows.keys()].filter((t) => !s.resumed.has(t))).toEqual([]);
        expect(s.rewrittenRows).toBe(0);
      }
      expect(runs.tracer.steps).toHaveLength(DECODE_STEPS);
      expect(revivedTokens).toBe(runs.revived);
      expect(revivedTokens).toBeGreaterThan(DECODE_STEPS);
    });
  });
});

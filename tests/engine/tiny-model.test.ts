import { Generation, GenerationState, GgmlType, LlamaModel, NO_PRUNING, runLazyStep, WIDE_ROWS } from '@lazyllm/engine';
import { dequantize } from '@lazyllm/engine/gguf/dequantize';
import { argmax64, rowError, topTwoGap } from '../support/logit-comparison';
import { LayerRow, ReferenceDenseRun, ReferenceKvCache } from '../support/reference-forward';
import { SeededRandom } from '../support/seeded-random';
import { loadTinyModel, makeScratchDir, TinyModel } from '../support/tiny-fixture';
import { TINY_LLAMA } from '../support/tiny-gguf';

/**
 * The onnxruntime engine on the tiny model against the plain-JS Float64 reference.
 *
 * Tolerances, measured on these fixtures and set at about twice the worst case seen:
 * - "exact" model (F32 layers, F32 embedding, so no quantized matmul anywhere): fp32 against fp64.
 *   Measured max |Δlogit| 2.1e-5 on logits of RMS ~3.2; bound 2e-4.
 * - quantized models: MatMulNBits at accuracy_level 4 quantizes activations to int8 per block of
 *   32 (scale amax/127), ~0.6% relative error per quantized product (see linear-weights.spec.ts).
 *   Seventeen of them in sequence (four per layer plus the head), with softmax and SwiGLU amplifying,
 *   give logits off by ~3% of their RMS on average (measured mean 2.8% Q4_0, 2.9% Q8_0), with single
 *   rows up to 7%. Q4_1 runs its codes uncentred, which doubles the activation error (6.3% mean, 18%
 *   worst row).
 */
const EXACT_MAX_ABS = 2e-4;
const QUANTIZED_TOLERANCE = {
  Q4_0: { meanRelativeRms: 0.06, rowRelativeRms: 0.15 },
  Q4_1: { meanRelativeRms: 0.12, rowRelativeRms: 0.35 },
  Q8_0: { meanRelativeRms: 0.06, rowRelativeRms: 0.15 },
} as const;
type QuantizedName = keyof typeof QUANTIZED_TOLERANCE;

const PROMPTS = ['What is the capital of the land?', 'Tell me a story about a cat.', 'hello there', 'Write and sing it in the morning'];
const V = TINY_LLAMA.vocabSize;

const scratch = makeScratchDir();
let exact: TinyModel;
const quantized = {} as Record<QuantizedName, TinyModel>;

beforeAll(async () => {
  exact = await loadTinyModel(scratch.path, 'exact', { weightType: GgmlType.F32, embeddingType: GgmlType.F32 });
  quantized.Q4_0 = await loadTinyModel(scratch.path, 'q4_0', { weightType: GgmlType.Q4_0 });
  quantized.Q4_1 = await loadTinyModel(scratch.path, 'q4_1', { weightType: GgmlType.Q4_1, normType: GgmlType.F16 });
  quantized.Q8_0 = await loadTinyModel(scratch.path, 'q8_0', { weightType: GgmlType.Q8_0 });
});
afterAll(async () => {
  await Promise.all([exact, ...Object.values(quantized)].map((m) => m?.engine.release()));
  scratch.remove();
});

/** Chat prompts plus a long random token sequence (late positions, every kind of token). */
function testSequences(m: TinyModel): number[][] {
  const rng = new SeededRandom(11);
  return [...PROMPTS.map((p) => m.chatPrompt(p)), Array.from({ length: 150 }, () => rng.below(V))];
}

async function prefillLogits(model: LlamaModel, tokens: number[]): Promise<Float32Array> {
  return (await runLazyStep(model, GenerationState.forModel(model.config, NO_PRUNING), tokens, { allLogits: true })).logits;
}

describe('tiny model: engine vs JS reference', () => {
  it('embeds tokens as their dequantized embedding rows and rejects ids outside the vocabulary', () => {
    const m = quantized.Q4_0;
    const table = m.gguf.tensors.get('token_embd.weight')!;
    const all = dequantize(table.type, m.gguf.tensorData('token_embd.weight'), table.elementCount);
    const e = TINY_LLAMA.hiddenSize;
    expect(m.engine.embed([7, 299, 7])).toEqual(Float32Array.from([...all.subarray(7 * e, 8 * e), ...all.subarray(299 * e, 300 * e), ...all.subarray(7 * e, 8 * e)]));
    expect(() => m.engine.embed([300])).toThrow('token id 300 is outside the vocabulary (0..299)');
    expect(() => m.engine.embed([-1])).toThrow(/outside the vocabulary/);
  });

  it('exact weights: prefill logits at every position agree to fp32 rounding', async () => {
    for (const tokens of testSequences(exact)) {
      const logits = await prefillLogits(exact.engine, tokens);
      const reference = new ReferenceDenseRun(exact.reference).append(tokens).logits;
      reference.forEach((row, i) => expect(rowError(row, logits, i * V).maxAbs).toBeLessThan(EXACT_MAX_ABS));
    }
  });

  it.each(Object.keys(QUANTIZED_TOLERANCE) as QuantizedName[])('%s weights: prefill logits within the int8-activation tolerance', async (name) => {
    const m = quantized[name];
    const tolerance = QUANTIZED_TOLERANCE[name];
    const errors: number[] = [];
    for (const tokens of testSequences(m)) {
      const logits = await prefillLogits(m.engine, tokens);
      new ReferenceDenseRun(m.reference).append(tokens).logits.forEach((row, i) => errors.push(rowError(row, logits, i * V).relativeRms));
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(mean).toBeLessThan(tolerance.meanRelativeRms);
    expect(Math.max(...errors)).toBeLessThan(tolerance.rowRelativeRms);
    // Quantization must actually be in play: an exact result here would mean the int8 path is not used.
    expect(mean).toBeGreaterThan(1e-3);
  });

  it(`a prompt of >= ${WIDE_ROWS} tokens in position order takes the float-activation prefill variant: Q4_1 logits to fp32 rounding`, async () => {
    // F32 embedding keeps the (always int8) output head exact, so only the layers' MatMulNBits in
    // float mode, with Q4_1's mins folded into float zero points, stand between engine and reference.
    const wide = await loadTinyModel(scratch.path, 'wide', { weightType: GgmlType.Q4_1, embeddingType: GgmlType.F32, contextLength: 320 });
    try {
      const rng = new SeededRandom(5);
      const tokens = Array.from({ length: 300 }, () => rng.below(V));
      const logits = await prefillLogits(wide.engine, tokens);
      const reference = new ReferenceDenseRun(wide.reference).append(tokens).logits;
      reference.forEach((row, i) => expect(rowError(row, logits, i * V).maxAbs).toBeLessThan(EXACT_MAX_ABS));
    } finally {
      await wide.engine.release();
    }
  });

  it('one layer computes a subset of tokens at their positions against selected cached rows', async () => {
    // Layer 1 computes tokens 3 and 7 (as for a token revived at depth 1 next to the step's last token);
    // tokens 0, 1, 2, 4, 5, 6 have cached KV there, and 4 and 6 are dropped from this step.
    const { engine, reference } = exact;
    const tokens = [17, 200, 45, 3, 99, 150, 261, 8];
    const cachedTokens = [0, 1, 2, 4, 5, 6];
    const computed = [3, 7];
    const takingPart = [0, 1, 2, 3, 5, 7];
    const layer0 = reference.layer(0, tokens.map((t, p) => ({ position: p, hidden: reference.embed(t) })), new ReferenceKvCache(), tokens.map((_, p) => p));
    const input = (p: number): LayerRow => ({ position: p, hidden: layer0.hidden[p] });
    const cache = new ReferenceKvCache();
    reference.layer(1, cachedTokens.map(input), cache, cachedTokens);
    const pastKey = Float32Array.from(cachedTokens.flatMap((p) => [...cache.keys.get(p)!]));
    const pastValue = Float32Array.from(cachedTokens.flatMap((p) => [...cache.values.get(p)!]));
    const expected = reference.layer(1, computed.map(input), cache, takingPart);

    // Bias rows: queries 3 and 7; columns: the cached rows in order, then the new rows.
    const columns = [...cachedTokens, ...computed];
    const bias = Float32Array.from(computed.flatMap((q) => columns.map((k) => (takingPart.includes(k) && k <= q ? 0 : -Infinity))));
    const out = await engine.runLayer(1, {
      hidden: Float32Array.from(computed.flatMap((p) => [...layer0.hidden[p]])),
      positions: computed,
      pastKey,
      pastValue,
      pastRows: cachedTokens.length,
      bias,
    });

    const close = (actual: Float32Array, wanted: number[]) => wanted.forEach((w, i) => expect(Math.abs(actual[i] - w)).toBeLessThan(1e-5));
    close(out.hidden, computed.flatMap((_, i) => [...expected.hidden[i]]));
    close(out.key, computed.flatMap((p) => [...cache.keys.get(p)!]));
    close(out.value, computed.flatMap((p) => [...cache.values.get(p)!]));
    close(out.importance, columns.map((p) => expected.lastAttention.get(p) ?? 0));
    expect(out.importance[cachedTokens.indexOf(4)]).toBe(0);
  });

  it("each layer's importance output (the last token's head-averaged attention) equals the reference's", async () => {
    const { engine, reference } = exact;
    const tokens = exact.chatPrompt(PROMPTS[1]);
    const n = tokens.length;
    const expected = new ReferenceDenseRun(reference).append(tokens).lastAttention;
    const causal = Float32Array.from({ length: n * n }, (_, i) => (i % n <= Math.floor(i / n) ? 0 : -Infinity));
    const noPast = new Float32Array(0);
    let hidden = engine.embed(tokens);
    for (let l = 0; l < TINY_LLAMA.layerCount; l++) {
      const out = await engine.runLayer(l, { hidden, positions: tokens.map((_, p) => p), pastKey: noPast, pastValue: noPast, pastRows: 0, bias: causal });
      // Probabilities from an fp32 softmax: measured within 1.4e-7.
      out.importance.forEach((score, p) => expect(Math.abs(score - expected[l].get(p)!)).toBeLessThan(1e-6));
      hidden = out.hidden;
    }
  });

  it('greedy continuations equal the reference greedy continuations (exact weights)', async () => {
    const MAX_TOKENS = 12;
    for (const text of PROMPTS) {
      const prompt = exact.chatPrompt(text);
      const ours = await (await Generation.start(exact.engine, prompt, { maxTokens: MAX_TOKENS })).finish();
      const run = new ReferenceDenseRun(exact.reference);
      const theirs: number[] = [];
      let logits = run.append(prompt).logits.at(-1)!;
      while (theirs.length < MAX_TOKENS) {
        // A near-tie would make the comparison a coin toss, whatever the engine does.
        expect(topTwoGap(logits)).toBeGreaterThan(100 * EXACT_MAX_ABS);
        theirs.push(argmax64(logits));
        logits = run.append([theirs.at(-1)!]).logits[0];
      }
      expect(ours).toEqual(theirs);
    }
  });

  it.each([
    // Exact weights: the KV path and the full prefill differ only in fp32 summation order.
    ['exact', 1e-4, Infinity],
    // Quantized: a fp32-rounding difference in an activation can move it across an int8 rounding
    // boundary, so the two runs differ by up to the quantization error itself, not by fp32 error
    // (measured: up to 1.8% of the logits' RMS per row).
    ['Q4_0', Infinity, 0.05],
  ] as const)('%s: decode steps with the KV cache equal a fresh prefill of the longer sequence', async (name, maxAbs, maxRelativeRms) => {
    const m = name === 'exact' ? exact : quantized.Q4_0;
    const rng = new SeededRandom(23);
    const tokens = [...m.chatPrompt(PROMPTS[0]), ...Array.from({ length: 24 }, () => rng.below(V))];
    const promptLength = tokens.length - 24;
    const full = await prefillLogits(m.engine, tokens);
    const state = GenerationState.forModel(m.engine.config, NO_PRUNING);
    let step = await runLazyStep(m.engine, state, tokens.slice(0, promptLength));
    for (let i = promptLength - 1; i < tokens.length; i++) {
      if (i >= promptLength) step = await runLazyStep(m.engine, state, [tokens[i]]);
      const error = rowError(full.subarray(i * V, (i + 1) * V), step.logits);
      expect(error.maxAbs).toBeLessThan(maxAbs);
      expect(error.relativeRms).toBeLessThan(maxRelativeRms);
    }
    expect(state.length).toBe(tokens.length);
  });
});

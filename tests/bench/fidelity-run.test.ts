import { buildMultiDocQa, multiDocPrompt, nqOpenRecords } from '@lazyllm/datasets';
import { ChatTemplate, defaultLazySchedule, LlamaModel, NO_PRUNING, readGguf, Tokenizer } from '@lazyllm/engine';
import { fidelityRun, ReferenceRun, referenceFidelity, referenceRun } from '../../bench/lazyllm/fidelity-run';

/**
 * The fidelity benchmark's measurement on the real model: teacher forcing must line each position up
 * with no-drop's, so no-drop measured against itself is exact, and pruning shows as a positive KL.
 */
let model: LlamaModel;
let tokenizer: Tokenizer;
let prompt: number[];
let reference: ReferenceRun;

beforeAll(async () => {
  model = await LlamaModel.load({ threads: 2 });
  const gguf = readGguf(model.path);
  tokenizer = Tokenizer.fromGguf(gguf);
  const text = multiDocPrompt(buildMultiDocQa(nqOpenRecords(), 11, { documents: 4, seed: 0 }));
  prompt = tokenizer.encode(ChatTemplate.fromGguf(gguf).render([{ role: 'user', content: text }], { addGenerationPrompt: true }), { parseSpecial: true });
  reference = await referenceRun(model, tokenizer, prompt);
}, 120_000);

afterAll(async () => {
  await model?.release();
});

it('gives one distribution per answer position, ending at the answer', () => {
  expect(reference.targets.length).toBeGreaterThan(1);
  expect(reference.logProbs).toHaveLength(reference.targets.length);
  // The greedy target is each distribution's most likely token.
  reference.targets.forEach((t, i) => expect(reference.logProbs[i][t]).toBe(Math.max(...reference.logProbs[i])));
});

it('measures no-drop against itself as identical', async () => {
  const self = await fidelityRun(model, prompt, reference, NO_PRUNING);
  expect(self.firstTokenKl).toBeLessThan(1e-9);
  expect(self.meanKl).toBeLessThan(1e-9);
  expect(self.top1Agreement).toBe(1);
  expect(self.prefillShare).toBe(1);
  expect(self.meanNll).toBeCloseTo(referenceFidelity(reference).meanNll, 9);
});

it('shows pruning as a positive divergence at a lower compute share', async () => {
  const pruned = await fidelityRun(model, prompt, reference, defaultLazySchedule(model.config.layerCount));
  expect(pruned.prefillShare).toBeLessThan(0.7);
  expect(pruned.firstTokenKl).toBeGreaterThan(1e-6);
  expect(pruned.meanKl).toBeGreaterThan(1e-6);
});

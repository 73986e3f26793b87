import { nqOpenRecords } from '@lazyllm/datasets';
import {
  ChatTemplate, clonePrefixState, computePrefix, defaultLazySchedule, Generation, GenerationState, LlamaModel, PruningSchedule, readGguf, resolveModelPath, restorePrefix, serializePrefix, StateFormatError, Tokenizer,
} from '@lazyllm/engine';
import { documentQaTokens } from '@lazyllm/prompts';

/**
 * The document prefix on the real model: a question continued from a stored prefix gives exactly the
 * tokens of the same question computed without a cache, the prefix is question-independent (its rows
 * are those a one-step LazyLLM prefill computes for the documents), and a stored prefix is refused by
 * another model.
 */
const THREADS = 2;
const DOCUMENTS = 10;
const QUESTIONS = 8;
const ANSWER_TOKENS = 4;
/** Eight questions, each computed twice, on 2 threads of a possibly shared machine. */
const EXACT_TIMEOUT_MS = 1_800_000;

let model: LlamaModel;
let schedule: PruningSchedule;
let p1: number;
let tokenizer: Tokenizer;
let template: ChatTemplate;
const records = nqOpenRecords();
const documents = records.slice(0, DOCUMENTS).map((r) => ({ title: r.ctxs[0].title, text: r.ctxs[0].text }));
const prompt = (q: number) => documentQaTokens({ kind: 'document-qa', documents, question: records[q].question }, tokenizer, template);

beforeAll(async () => {
  model = await LlamaModel.load({ threads: THREADS });
  schedule = defaultLazySchedule(model.config.layerCount);
  p1 = schedule.layers[0];
  const gguf = readGguf(resolveModelPath());
  tokenizer = Tokenizer.fromGguf(gguf);
  template = ChatTemplate.fromGguf(gguf);
}, 120_000);

afterAll(async () => {
  await model?.release();
});

const params = () => ({ maxTokens: ANSWER_TOKENS, stopTokens: tokenizer.endOfGenerationIds, schedule });

function kvRows(state: GenerationState, layer: number, token: number): Float32Array {
  const store = state.kv[layer];
  const r = store.tokens.indexOf(token);
  if (r < 0) throw new Error(`no row for token ${token} at layer ${layer}`);
  return store.keys.slice(r * store.width, (r + 1) * store.width);
}

describe('document prefix (real model)', () => {
  it(`exact mode: ${QUESTIONS} questions from one stored prefix give the same tokens as each computed alone`, async () => {
    const first = prompt(0);
    const documentTokens = first.tokens.slice(0, first.prefixLength);
    const stored = serializePrefix(model, await computePrefix(model, documentTokens, schedule));
    let revivedFromPrefix = 0;
    for (let q = 0; q < QUESTIONS; q++) {
      const p = prompt(q);
      expect(p.tokens.slice(0, p.prefixLength)).toEqual(documentTokens);
      const question = p.tokens.slice(p.prefixLength);
      const alone = await Generation.continue(model, await computePrefix(model, documentTokens, schedule), question, params());
      const cached = await Generation.continue(model, restorePrefix(model, stored), question, params());
      await alone.finish();
      await cached.finish();
      expect({ q, tokens: cached.generated }).toEqual({ q, tokens: alone.generated });
      expect(cached.state.depth).toEqual(alone.state.depth);
      expect(cached.state.computedPairs).toBe(alone.state.computedPairs);
      revivedFromPrefix += cached.revived;
    }
    // The pruning layers did revive document tokens from the prefix's Aux Cache.
    expect(revivedFromPrefix).toBeGreaterThan(0);
  }, EXACT_TIMEOUT_MS);

  it('the prefix is question-independent: its rows are the documents\' rows of a one-step LazyLLM prefill', async () => {
    const p = prompt(1);
    const prefix = await computePrefix(model, p.tokens.slice(0, p.prefixLength), schedule);
    expect(new Set(prefix.depth)).toEqual(new Set([p1]));
    expect(prefix.aux.size).toBe(p.prefixLength);
    const full = await Generation.start(model, p.tokens, { ...params(), maxTokens: 1 });
    let worst = 0;
    for (const layer of [0, p1 - 1]) {
      for (const token of [0, p.prefixLength >> 1, p.prefixLength - 1]) {
        const a = kvRows(prefix, layer, token);
        const b = kvRows(full.state, layer, token);
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      }
    }
    // Same computation; only the float summation order of a wider call may differ.
    expect(worst).toBeLessThan(1e-3);
  });

  it('continuing a copy leaves the prefix as it was', async () => {
    const p = prompt(2);
    const prefix = await computePrefix(model, p.tokens.slice(0, p.prefixLength), schedule);
    const before = serializePrefix(model, prefix);
    await (await Generation.continue(model, clonePrefixState(prefix), p.tokens.slice(p.prefixLength), params())).finish();
    expect(serializePrefix(model, prefix)).toEqual(before);
  });

  it('a stored prefix is refused by another model', async () => {
    const p = prompt(3);
    const stored = serializePrefix(model, await computePrefix(model, p.tokens.slice(0, 50), schedule));
    const other = Object.create(model, { identity: { value: 'f'.repeat(64) } }) as LlamaModel;
    expect(() => restorePrefix(other, stored)).toThrow(StateFormatError);
    expect(() => restorePrefix(other, stored)).toThrow(/model identity mismatch/);
  });
});

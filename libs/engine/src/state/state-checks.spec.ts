import { loadTinyModel, makeScratchDir, TinyModel } from '../../../../tests/support/tiny-fixture';
import { TINY_LLAMA } from '../../../../tests/support/tiny-gguf';
import { GgmlType } from '../gguf/ggml-types';
import { Generation } from '../generation/generation';
import { serializeGeneration } from './generation-codec';
import { checkConsistency, checkModelMatch } from './state-checks';
import { StateFormatError } from './state-format-error';
import { DecodedState, decodeState } from './state-format';

const L = TINY_LLAMA.layerCount;
const scratch = makeScratchDir();
let tiny: TinyModel;
/** A genuine state after a pruned prefill and 8 decode steps, running, with Aux Cache entries. */
let state: DecodedState;

beforeAll(async () => {
  tiny = await loadTinyModel(scratch.path, 'q4_0', { weightType: GgmlType.Q4_0 });
  const prompt = tiny.chatPrompt('Tell me a story about a cat that lived in the old mill by the river.');
  const g = await Generation.start(tiny.engine, prompt, { maxTokens: 20, schedule: { layers: [1, 2, 3], percentiles: [30, 40, 50] } });
  for (let i = 0; i < 8; i++) await g.step();
  state = decodeState(serializeGeneration(g));
});
afterAll(async () => {
  await tiny?.engine.release();
  scratch.remove();
});

function refusal(check: () => void): StateFormatError {
  try {
    check();
  } catch (err) {
    if (err instanceof StateFormatError) return err;
    throw err;
  }
  throw new Error('the state was accepted');
}

const stoppedToken = () => state.aux[0].token;
const withDepth = (token: number, depth: number) => state.depth.map((d, t) => (t === token ? depth : d));

describe('checkModelMatch', () => {
  it('accepts the model that wrote the state', () => {
    expect(() => checkModelMatch(state.header, tiny.engine)).not.toThrow();
  });

  it.each([
    ['layer count', { layerCount: L + 1 }, `state has ${L} layers, 2 KV heads of 16, hidden size 64, model has ${L + 1} layers, 2 KV heads of 16, hidden size 64`],
    ['KV heads', { kvHeadCount: 4 }, 'model has 4 layers, 4 KV heads of 16'],
    ['head size', { headDim: 8 }, 'KV heads of 8,'],
    ['hidden size', { hiddenSize: 128 }, 'hidden size 128'],
  ])('refuses a model of another %s, even with the same identity', (_, change, message) => {
    const e = refusal(() => checkModelMatch(state.header, { identity: tiny.engine.identity, config: { ...tiny.engine.config, ...change } }));
    expect(e.reason).toBe('geometry-mismatch');
    expect(e.message).toContain(`model geometry mismatch: `);
    expect(e.message).toContain(message);
  });
});

describe('checkConsistency', () => {
  it('accepts a genuine state', () => {
    expect(state.aux.length).toBeGreaterThan(0);
    expect(() => checkConsistency(state, tiny.engine.config)).not.toThrow();
  });

  const cases: [string, () => DecodedState, RegExp][] = [
    ['a token deeper than its KV rows', () => ({ ...state, depth: withDepth(stoppedToken(), state.aux[0].depth + 1) }), /layer \d has \d+ KV rows, but \d+ tokens have depth > \d/],
    ['a KV row below a token depth', () => ({ ...state, depth: withDepth(state.kv[0].tokens[0], 1) }), /layer 1 has a KV row for position \d+, whose depth is 1/],
    ['a KV row twice', () => ({ ...state, kv: state.kv.map((rows, l) => (l === 0 ? { ...rows, tokens: rows.tokens.map((t, r) => (r === 1 ? rows.tokens[0] : t)) } : rows)) }), /layer 0 has two KV rows for position/],
    ['a KV row beyond the tokens', () => ({ ...state, kv: state.kv.map((rows, l) => (l === 0 ? { ...rows, tokens: rows.tokens.map((t, r) => (r === 0 ? 9999 : t)) } : rows)) }), /layer 0 has a KV row for position 9999, beyond the \d+ tokens/],
    ['a depth of 0', () => ({ ...state, depth: withDepth(0, 0) }), /token at position 0 has depth 0, outside 1..4/],
    ['a miscounted computed pair', () => ({ ...state, computedPairs: state.computedPairs + 1 }), /\d+ KV rows, but \d+ \(token, layer\) pairs computed/],
    ['a missing Aux Cache entry', () => ({ ...state, aux: state.aux.slice(1) }), /\d+ Aux Cache entries for \d+ tokens not computed through every layer/],
    ['an Aux Cache entry at the wrong depth', () => ({ ...state, aux: state.aux.map((e, i) => (i === 0 ? { ...e, depth: e.depth + 1 } : e)) }), /Aux Cache entry for position \d+ is at depth \d, the token's depth is \d/],
    ['a token outside the vocabulary', () => ({ ...state, tokens: state.tokens.map((t, i) => (i === 3 ? TINY_LLAMA.vocabSize : t)) }), new RegExp(`token 3 has id ${TINY_LLAMA.vocabSize}, outside the vocabulary`)],
    ['generated tokens that are not the tail of the tokens', () => ({ ...state, generated: state.generated.map((t, i) => (i === 2 ? t + 1 : t)) }), /generated token 2 \(\d+\) is not the token at position \d+/],
    ['more tokens than the context', () => ({ ...state, tokens: new Int32Array(TINY_LLAMA.contextLength + 1) }), /tokens exceed the model's context of 256/],
    ['an invalid schedule', () => ({ ...state, schedule: { layers: [L], percentiles: [30] } }), /invalid pruning schedule: layer 4 is outside 1..3/],
    ['an invalid sampler', () => ({ ...state, sampling: { ...state.sampling, topP: 0 } }), /topP 0 must be in \(0, 1\]/],
    ['a running generation at maxTokens', () => ({ ...state, maxTokens: state.generated.length }), /a running generation with 9 of 9 tokens generated/],
    ['a negative revival count', () => ({ ...state, revived: -1 }), /revived -1 is not a count/],
  ];
  it.each(cases)('refuses %s', (_, tamper, message) => {
    const e = refusal(() => checkConsistency(tamper(), tiny.engine.config));
    expect(e.reason).toBe('inconsistent-content');
    expect(e.message).toMatch(message);
  });
});

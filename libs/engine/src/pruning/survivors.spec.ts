import { PruningSchedule } from './pruning-schedule';
import { chooseSurvivors, PruningDecision } from './survivors';
import { selectByPercentile } from './token-selection';

const tokens = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
/** 20 prompt tokens whose importance rises with position, except that token 3 scores highest. */
const prefill: PruningDecision = {
  layer: 2,
  percentile: 50,
  candidates: tokens(20),
  importance: Float32Array.from({ length: 20 }, (_, i) => (i === 3 ? 1 : i / 100)),
  lastToken: 19,
  firstNew: 0,
  depth: new Array<number>(20).fill(2),
};
const schedule = (selection?: PruningSchedule['selection']): PruningSchedule => ({ layers: [2], percentiles: [50], selection });

describe('chooseSurvivors', () => {
  it('lazy (the default): keeps the candidates the last token attended to most', () => {
    const expected = [3, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    expect(Array.from(chooseSurvivors(schedule(), prefill))).toEqual(expected);
    expect(Array.from(chooseSurvivors(schedule({ kind: 'lazy' }), prefill))).toEqual(expected);
  });

  it('random: the same count as lazy, a seeded choice that ignores importance and changes with the step', () => {
    const random = schedule({ kind: 'random', seed: 1 });
    const lazyKept = selectByPercentile(prefill.candidates, prefill.importance, 50, 19);
    const kept = chooseSurvivors(random, prefill);
    expect(kept).toHaveLength(lazyKept.length);
    expect(kept).toContain(19);
    expect(Array.from(kept)).not.toEqual(Array.from(lazyKept));
    expect(chooseSurvivors(random, prefill)).toEqual(kept);
    expect(chooseSurvivors(schedule({ kind: 'random', seed: 2 }), prefill)).not.toEqual(kept);
    // Two decode steps over the same 20 old candidates (the rest of the tokens dropped earlier) draw
    // different choices: the step is part of the seed.
    const decodeAt = (last: number): PruningDecision => ({ ...prefill, candidates: Int32Array.from([...tokens(20), last]), importance: new Float32Array(21), lastToken: last, firstNew: last });
    const [first, second] = [chooseSurvivors(random, decodeAt(30)), chooseSurvivors(random, decodeAt(31))];
    expect(first).toHaveLength(selectByPercentile(decodeAt(30).candidates, new Float32Array(21), 50, 30).length);
    expect(Array.from(first.subarray(0, -1))).not.toEqual(Array.from(second.subarray(0, -1)));
  });

  it('static: decides like lazy in the prefill, then keeps that decision and ignores later scores', () => {
    const s = schedule({ kind: 'static' });
    const kept = chooseSurvivors(s, prefill);
    expect(kept).toEqual(chooseSurvivors(schedule(), prefill));
    // After the prefill the kept tokens have gone through all 4 layers; the dropped ones stopped at 2.
    const keptSet = new Set(kept);
    const depth = [...Array.from({ length: 20 }, (_, t) => (keptSet.has(t) ? 4 : 2)), 0, 0];
    // Decode step adding tokens 20, 21 (both at layer 2 now), with scores that would favour dropped tokens.
    const decode: PruningDecision = {
      ...prefill,
      candidates: tokens(22),
      importance: Float32Array.from({ length: 22 }, (_, t) => (keptSet.has(t) ? 0 : 1)),
      lastToken: 21,
      firstNew: 20,
      depth: depth.map((d, t) => (t >= 20 ? 2 : d)),
    };
    expect(Array.from(chooseSurvivors(s, decode))).toEqual([...kept, 20, 21]);
  });
});

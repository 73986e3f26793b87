import { NO_PRUNING, percentileAt, PruningSchedule, ScheduleError, selectionOf, validateSchedule } from './pruning-schedule';

const LAYERS = 4;

describe('validateSchedule', () => {
  it('accepts strictly increasing layers in 1..L-1 with percentiles in [0, 100)', () => {
    for (const s of [NO_PRUNING, { layers: [1, 2, 3], percentiles: [30, 40, 50] }, { layers: [3], percentiles: [99.9] }, { layers: [1, 3], percentiles: [0, 0] }] as PruningSchedule[]) {
      expect(validateSchedule(s, LAYERS)).toBe(s);
    }
  });

  it.each([
    ['unordered layers', { layers: [2, 1], percentiles: [10, 10] }, 'layers must be strictly increasing (2 then 1)'],
    ['a repeated layer', { layers: [2, 2], percentiles: [10, 10] }, 'layers must be strictly increasing (2 then 2)'],
    ['layer 0 (nothing to score with)', { layers: [0], percentiles: [10] }, 'layer 0 is outside 1..3'],
    ['layer L', { layers: [4], percentiles: [10] }, 'layer 4 is outside 1..3'],
    ['a fractional layer', { layers: [1.5], percentiles: [10] }, 'layer 1.5 is outside 1..3'],
    ['percentile 100 (would drop everything)', { layers: [1], percentiles: [100] }, 'percentile 100 is outside [0, 100)'],
    ['a negative percentile', { layers: [1], percentiles: [-5] }, 'percentile -5 is outside [0, 100)'],
    ['a NaN percentile', { layers: [1], percentiles: [NaN] }, 'percentile NaN is outside [0, 100)'],
    ['mismatched lengths', { layers: [1, 2], percentiles: [10] }, '2 layers but 1 percentiles'],
    ['a fractional random seed', { layers: [1], percentiles: [10], selection: { kind: 'random', seed: 1.5 } }, 'random selection seed 1.5 is not a 32-bit unsigned integer'],
    ['a negative random seed', { layers: [1], percentiles: [10], selection: { kind: 'random', seed: -1 } }, 'random selection seed -1 is not a 32-bit unsigned integer'],
    ['static pruning at two layers', { layers: [1, 2], percentiles: [10, 10], selection: { kind: 'static' } }, 'static selection prunes once, at one layer (2 given)'],
    ['static pruning without a layer', { layers: [], percentiles: [], selection: { kind: 'static' } }, 'static selection prunes once, at one layer (0 given)'],
    ['an unknown policy', { layers: [1], percentiles: [10], selection: { kind: 'smart' } }, 'unknown selection policy "smart"'],
  ] as [string, PruningSchedule, string][])('rejects %s', (_, schedule, problem) => {
    expect(() => validateSchedule(schedule, LAYERS)).toThrow(new ScheduleError(problem));
    expect(() => validateSchedule(schedule, LAYERS)).toThrow(`invalid pruning schedule: ${problem}`);
  });

  it('accepts the baselines: random with a seed at any schedule, static at one layer', () => {
    for (const s of [
      { layers: [1, 2], percentiles: [20, 40], selection: { kind: 'random', seed: 0 } },
      { layers: [2], percentiles: [50], selection: { kind: 'random', seed: 0xffffffff } },
      { layers: [1], percentiles: [60], selection: { kind: 'static' } },
      { layers: [2], percentiles: [10], selection: { kind: 'lazy' } },
    ] as PruningSchedule[]) {
      expect(validateSchedule(s, LAYERS)).toBe(s);
    }
  });
});

describe('percentileAt', () => {
  it('gives the percentile of a pruning layer and nothing for the others', () => {
    const s = { layers: [1, 3], percentiles: [20, 60] };
    expect([0, 1, 2, 3].map((l) => percentileAt(s, l))).toEqual([undefined, 20, undefined, 60]);
  });
});

describe('selectionOf', () => {
  it('is LazyLLM unless the schedule names a baseline', () => {
    expect(selectionOf(NO_PRUNING)).toEqual({ kind: 'lazy' });
    expect(selectionOf({ layers: [1], percentiles: [5], selection: { kind: 'static' } })).toEqual({ kind: 'static' });
  });
});

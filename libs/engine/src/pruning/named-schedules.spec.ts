import { batchLazySchedule, defaultLazySchedule } from './named-schedules';
import { validateSchedule } from './pruning-schedule';

describe('defaultLazySchedule', () => {
  it('is layers 8, 16, 24 at 30/50/50 on a 30-layer model (SmolLM2-135M)', () => {
    expect(defaultLazySchedule(30)).toEqual({ layers: [8, 16, 24], percentiles: [30, 50, 50] });
  });

  it('scales with depth and stays valid on every depth', () => {
    expect(defaultLazySchedule(32)).toEqual({ layers: [9, 17, 26], percentiles: [30, 50, 50] });
    expect(defaultLazySchedule(4)).toEqual({ layers: [1, 2, 3], percentiles: [30, 50, 50] });
    expect(defaultLazySchedule(2)).toEqual({ layers: [1], percentiles: [30] });
    expect(defaultLazySchedule(1)).toEqual({ layers: [], percentiles: [] });
    for (let layerCount = 1; layerCount <= 128; layerCount++) expect(() => validateSchedule(defaultLazySchedule(layerCount), layerCount)).not.toThrow();
  });
});

describe('batchLazySchedule', () => {
  it('starts pruning later: layers 16, 20, 24 at 50% on a 30-layer model, valid on every depth', () => {
    expect(batchLazySchedule(30)).toEqual({ layers: [16, 20, 24], percentiles: [50, 50, 50] });
    for (let layerCount = 1; layerCount <= 128; layerCount++) expect(() => validateSchedule(batchLazySchedule(layerCount), layerCount)).not.toThrow();
  });
});

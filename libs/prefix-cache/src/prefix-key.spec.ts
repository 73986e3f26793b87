import { defaultLazySchedule } from '@lazyllm/engine';
import { PrefixIdentity, prefixKey } from './prefix-key';

const base: PrefixIdentity = { modelIdentity: 'a'.repeat(64), documentTokens: [1, 2, 3, 4], schedule: defaultLazySchedule(30), formatVersion: 1, mode: 'exact' };

describe('prefixKey', () => {
  it('differs for another model, other document tokens, another first pruning layer, format version or mode', () => {
    const key = prefixKey(base);
    const variants: PrefixIdentity[] = [
      { ...base, modelIdentity: 'b'.repeat(64) },
      { ...base, documentTokens: [1, 2, 3] },
      { ...base, documentTokens: [1, 2, 3, 5] },
      { ...base, documentTokens: [1, 2, 3, 4, 0] },
      { ...base, schedule: { layers: [4, 16, 24], percentiles: [30, 50, 50] } },
      { ...base, formatVersion: 2 },
      { ...base, mode: 'shared-revival' },
    ];
    const keys = new Set([key, ...variants.map(prefixKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('an exact entry depends on the first pruning layer only; a shared-revival entry on the whole schedule', () => {
    const later = { layers: [8, 20], percentiles: [30, 70] };
    expect(prefixKey({ ...base, schedule: later })).toBe(prefixKey(base));
    expect(prefixKey({ ...base, mode: 'shared-revival', schedule: later })).not.toBe(prefixKey({ ...base, mode: 'shared-revival' }));
  });
});

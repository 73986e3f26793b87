import { DEFAULT_STATE_CHUNK_BYTES, DEFAULT_STATE_TTL_SECONDS, readHandoffSettings } from './handoff-settings';

describe('handoff settings', () => {
  it('defaults to 1 MiB chunks kept for an hour', () => {
    expect(readHandoffSettings({})).toEqual({ ttlSeconds: DEFAULT_STATE_TTL_SECONDS, chunkBytes: DEFAULT_STATE_CHUNK_BYTES });
    expect(DEFAULT_STATE_CHUNK_BYTES).toBe(1024 * 1024);
  });

  it('reads the TTL in seconds and the chunk size in KiB', () => {
    expect(readHandoffSettings({ STATE_TTL_SECONDS: '60', STATE_CHUNK_KIB: '256' })).toEqual({ ttlSeconds: 60, chunkBytes: 256 * 1024 });
    expect(() => readHandoffSettings({ STATE_CHUNK_KIB: '0' })).toThrow(/STATE_CHUNK_KIB/);
    expect(() => readHandoffSettings({ STATE_TTL_SECONDS: '-1' })).toThrow(/STATE_TTL_SECONDS/);
  });
});

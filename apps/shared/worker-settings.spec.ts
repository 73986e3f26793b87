import { ConfigurationError } from './configuration-error';
import { concurrency } from './worker-settings';

describe('worker settings', () => {
  it('runs one job at a time per process unless told otherwise, per pool', () => {
    expect(concurrency('prefill', {})).toBe(1);
    expect(concurrency('prefill', { PREFILL_CONCURRENCY: '3', DECODE_CONCURRENCY: '5' })).toBe(3);
    expect(concurrency('decode', { PREFILL_CONCURRENCY: '3', DECODE_CONCURRENCY: '5' })).toBe(5);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => concurrency('decode', { DECODE_CONCURRENCY: '0' })).toThrow(ConfigurationError);
    expect(() => concurrency('decode', { DECODE_CONCURRENCY: 'two' })).toThrow(/DECODE_CONCURRENCY must be a positive integer/);
  });
});

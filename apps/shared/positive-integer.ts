import { ConfigurationError } from './configuration-error';

/** Parses a setting (environment variable or flag) that must be a positive integer. */
export function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigurationError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

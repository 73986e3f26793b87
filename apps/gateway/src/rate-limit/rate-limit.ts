import { ConfigurationError } from '../../../shared/configuration-error';
import { positiveInteger } from '../../../shared/positive-integer';

/** At most `limit` requests per `windowSeconds` from one API key, or from one IP address without a key. */
export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

const DEFAULT_WINDOW_SECONDS = 60;

/** RATE_LIMIT (requests per window) and RATE_LIMIT_WINDOW_SECONDS; unset RATE_LIMIT leaves requests unlimited. */
export function readRateLimit(env: NodeJS.ProcessEnv = process.env): RateLimit | undefined {
  const window = env.RATE_LIMIT_WINDOW_SECONDS;
  if (env.RATE_LIMIT === undefined || env.RATE_LIMIT === '') {
    if (window !== undefined && window !== '') throw new ConfigurationError('RATE_LIMIT_WINDOW_SECONDS needs RATE_LIMIT (requests per window) too');
    return undefined;
  }
  return {
    limit: positiveInteger('RATE_LIMIT', env.RATE_LIMIT),
    windowSeconds: window === undefined || window === '' ? DEFAULT_WINDOW_SECONDS : positiveInteger('RATE_LIMIT_WINDOW_SECONDS', window),
  };
}

import { existsSync } from 'node:fs';
import { ConfigurationError, ModelNotFoundError } from '../../../shared/configuration-error';
import { modelPath } from '../../../shared/engine-settings';
import { positiveInteger } from '../../../shared/positive-integer';
import { readRateLimit, type RateLimit } from '../rate-limit/rate-limit';

/** What the gateway reads from the environment, checked once before Nest starts. */
export interface GatewaySettings {
  readonly port: number;
  readonly host: string | undefined;
  /** The GGUF whose tokenizer, chat template and geometry requests are checked against (weights are not loaded). */
  readonly modelPath: string;
  /** Prompts longer than this are refused; undefined leaves only the model's context window as the limit. */
  readonly maxPromptTokens: number | undefined;
  /** Largest request body accepted; bigger ones get 413 before any parsing. */
  readonly maxBodyBytes: number;
  /** Bearer keys the API, /docs and the dashboard accept (API_KEYS, comma-separated); empty leaves them open. */
  readonly apiKeys: readonly string[];
  /** Requests allowed per API key or IP (RATE_LIMIT per RATE_LIMIT_WINDOW_SECONDS); undefined: unlimited. */
  readonly rateLimit?: RateLimit;
}

/** Injection token for GatewaySettings. */
export const GATEWAY_SETTINGS = Symbol('GatewaySettings');

const DEFAULT_PORT = 3000;
/** Enough for a batch of a few dozen long documents; raise MAX_BODY_BYTES for more. */
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

function optionalPositiveInteger(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : positiveInteger(name, value);
}

/** API_KEYS split on commas, blanks dropped; a key with spaces inside is a typo, not a key. */
export function apiKeys(value: string | undefined): string[] {
  const keys = (value ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '');
  const bad = keys.find((key) => /\s/.test(key));
  if (bad !== undefined) throw new ConfigurationError(`API_KEYS must be comma-separated keys without spaces, got "${bad.slice(0, 4)}…"`);
  return keys;
}

export function readGatewaySettings(): GatewaySettings {
  const path = modelPath();
  if (!existsSync(path)) throw new ModelNotFoundError(path);
  return {
    port: optionalPositiveInteger('PORT') ?? DEFAULT_PORT,
    host: process.env.HOST || undefined,
    modelPath: path,
    maxPromptTokens: optionalPositiveInteger('MAX_PROMPT_TOKENS'),
    maxBodyBytes: optionalPositiveInteger('MAX_BODY_BYTES') ?? DEFAULT_MAX_BODY_BYTES,
    apiKeys: apiKeys(process.env.API_KEYS),
    rateLimit: readRateLimit(),
  };
}

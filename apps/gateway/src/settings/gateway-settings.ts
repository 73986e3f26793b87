import { existsSync } from 'node:fs';
import { ModelNotFoundError } from '../../../shared/configuration-error';
import { modelPath } from '../../../shared/engine-settings';
import { positiveInteger } from '../../../shared/positive-integer';

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

export function readGatewaySettings(): GatewaySettings {
  const path = modelPath();
  if (!existsSync(path)) throw new ModelNotFoundError(path);
  return {
    port: optionalPositiveInteger('PORT') ?? DEFAULT_PORT,
    host: process.env.HOST || undefined,
    modelPath: path,
    maxPromptTokens: optionalPositiveInteger('MAX_PROMPT_TOKENS'),
    maxBodyBytes: optionalPositiveInteger('MAX_BODY_BYTES') ?? DEFAULT_MAX_BODY_BYTES,
  };
}

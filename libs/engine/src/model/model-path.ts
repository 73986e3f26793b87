import { resolve } from 'node:path';

/** The GGUF the project ships by default (fetched by `npm run setup`, never committed). */
export const DEFAULT_MODEL_FILE = 'SmolLM2-135M-Instruct.Q4_1.gguf';

/** MODEL_PATH selects any other Llama-family GGUF; otherwise the default under ./models. */
export function resolveModelPath(explicit?: string): string {
  return resolve(explicit ?? process.env.MODEL_PATH ?? resolve(process.cwd(), 'models', DEFAULT_MODEL_FILE));
}

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_MODEL_FILE, resolveModelPath } from '@lazyllm/engine/model/model-path';
import { ModelNotFoundError } from './configuration-error';
import { positiveInteger } from './positive-integer';

/** What an app needs from the environment to run the engine. */
export interface EngineSettings {
  readonly modelPath: string;
  /** Intra-op threads per onnxruntime session; undefined lets the engine use every core. */
  readonly threads: number | undefined;
}

/** Injection token for EngineSettings (an interface has no runtime type to inject by). */
export const ENGINE_SETTINGS = Symbol('EngineSettings');

/** Where `npm run setup` puts models: MODELS_DIR, or ./models. */
export function modelsDir(): string {
  return resolve(process.env.MODELS_DIR ?? 'models');
}

/** The GGUF to load: an explicit path, else MODEL_PATH, else the default model in modelsDir(). */
export function modelPath(explicit?: string): string {
  return resolveModelPath(explicit ?? process.env.MODEL_PATH ?? join(modelsDir(), DEFAULT_MODEL_FILE));
}

/** THREADS as a positive integer, or undefined when unset. */
export function threads(): number | undefined {
  const value = process.env.THREADS;
  if (value === undefined || value === '') return undefined;
  return positiveInteger('THREADS', value);
}

/** Reads and checks the settings once at startup, so a missing model stops an app before it takes work. */
export function readEngineSettings(): EngineSettings {
  const path = modelPath();
  if (!existsSync(path)) throw new ModelNotFoundError(path);
  return { modelPath: path, threads: threads() };
}

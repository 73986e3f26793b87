import { join, resolve } from 'node:path';
import { DEFAULT_MODEL_FILE } from '@lazyllm/engine/model/model-path';
import { ConfigurationError } from './configuration-error';
import { modelPath, threads } from './engine-settings';

describe('engine settings from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('takes the model from an explicit path, then MODEL_PATH, then MODELS_DIR', () => {
    process.env.MODELS_DIR = '/data/models';
    expect(modelPath()).toBe(join('/data/models', DEFAULT_MODEL_FILE));
    process.env.MODEL_PATH = 'other.gguf';
    expect(modelPath()).toBe(resolve('other.gguf'));
    expect(modelPath('/explicit.gguf')).toBe('/explicit.gguf');
  });

  it('defaults to ./models', () => {
    delete process.env.MODELS_DIR;
    delete process.env.MODEL_PATH;
    expect(modelPath()).toBe(resolve('models', DEFAULT_MODEL_FILE));
  });

  it('accepts only a positive integer THREADS', () => {
    delete process.env.THREADS;
    expect(threads()).toBeUndefined();
    process.env.THREADS = '2';
    expect(threads()).toBe(2);
    process.env.THREADS = '0';
    expect(() => threads()).toThrow(ConfigurationError);
  });
});

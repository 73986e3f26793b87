import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile, readGguf } from '@lazyllm/engine/gguf/gguf-reader';
import { LlamaModel } from '@lazyllm/engine/runtime/llama-model';
import { ChatTemplate, Tokenizer } from '@lazyllm/engine/tokenizer';
import { ReferenceLlama } from './reference-forward';
import { TinyLlamaOptions, writeTinyLlama } from './tiny-gguf';

/** A scratch directory under the OS temp dir, removed by `remove`. */
export function makeScratchDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'tiny-llama-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A tiny model written to disk and loaded both into the engine and into the JS reference. */
export interface TinyModel {
  readonly path: string;
  readonly gguf: GgufFile;
  readonly engine: LlamaModel;
  readonly reference: ReferenceLlama;
  readonly tokenizer: Tokenizer;
  /** Token ids of a one-turn ChatML conversation ending with an open assistant turn. */
  chatPrompt(user: string): number[];
}

export async function loadTinyModel(dir: string, name: string, opts: TinyLlamaOptions = {}): Promise<TinyModel> {
  const path = join(dir, `${name}.gguf`);
  writeTinyLlama(path, opts);
  const gguf = readGguf(path);
  const tokenizer = Tokenizer.fromGguf(gguf);
  const template = ChatTemplate.fromGguf(gguf);
  // One thread: the model is tiny and jest runs test files in parallel.
  const engine = await LlamaModel.load({ modelPath: path, threads: 1 });
  return {
    path,
    gguf,
    engine,
    reference: ReferenceLlama.fromGguf(gguf),
    tokenizer,
    chatPrompt: (user) => tokenizer.encode(template.render([{ role: 'user', content: user }], { addGenerationPrompt: true }), { parseSpecial: true }),
  };
}

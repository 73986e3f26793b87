import { ChatTemplate, LlamaConfig, llamaConfigFromGguf, readGguf, Tokenizer } from '@lazyllm/engine';

/**
 * What the gateway knows about the model the workers run: enough to tokenize and check requests,
 * read from the GGUF's metadata once at startup. The weights are never loaded here.
 */
export class ModelProfile {
  constructor(
    readonly path: string,
    readonly config: LlamaConfig,
    readonly tokenizer: Tokenizer,
    readonly template: ChatTemplate,
  ) {}

  static read(path: string): ModelProfile {
    const gguf = readGguf(path);
    return new ModelProfile(path, llamaConfigFromGguf(gguf), Tokenizer.fromGguf(gguf), ChatTemplate.fromGguf(gguf));
  }
}

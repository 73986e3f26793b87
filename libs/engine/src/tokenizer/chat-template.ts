import { Template } from '@huggingface/jinja';
import { GgufError, GgufFile, metaArray } from '../gguf/gguf-reader';
import { optionalTokenId } from './vocabulary';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface RenderOptions {
  /** Append the opening of an assistant turn so the model continues as the assistant. */
  addGenerationPrompt?: boolean;
}

/** The model's own chat format: the Jinja template stored in tokenizer.chat_template. */
export class ChatTemplate {
  private readonly template: Template | undefined;

  constructor(
    private readonly file: string,
    source: string | undefined,
    private readonly bosToken = '',
    private readonly eosToken = '',
  ) {
    try {
      this.template = source === undefined ? undefined : new Template(source);
    } catch (e) {
      throw new GgufError(file, `tokenizer.chat_template does not parse (${(e as Error).message})`);
    }
  }

  static fromGguf(f: GgufFile): ChatTemplate {
    const source = f.metadata.get('tokenizer.chat_template');
    if (source !== undefined && typeof source !== 'string') throw new GgufError(f.path, 'metadata "tokenizer.chat_template" is not a string');
    const texts = metaArray<string>(f, 'tokenizer.ggml.tokens') ?? [];
    const textOf = (key: string) => {
      const id = optionalTokenId(f, key, texts.length);
      return id === undefined ? undefined : texts[id];
    };
    return new ChatTemplate(f.path, source, textOf('tokenizer.ggml.bos_token_id'), textOf('tokenizer.ggml.eos_token_id'));
  }

  get available(): boolean {
    return this.template !== undefined;
  }

  render(messages: readonly ChatMessage[], opts: RenderOptions = {}): string {
    if (!this.template) {
      throw new GgufError(this.file, 'the model has no chat template (tokenizer.chat_template); format the prompt yourself');
    }
    // Variables as Hugging Face transformers' apply_chat_template passes them.
    return this.template.render({
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? false,
      bos_token: this.bosToken,
      eos_token: this.eosToken,
    });
  }
}

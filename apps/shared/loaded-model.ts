import { OnApplicationShutdown } from '@nestjs/common';
import { ChatTemplate, LlamaModel, readGguf, Tokenizer } from '@lazyllm/engine';
import { EngineSettings } from './engine-settings';

/** The model a worker process loads once at startup, with its tokenizer and chat template; released at shutdown. */
export class LoadedModel implements OnApplicationShutdown {
  private constructor(
    readonly model: LlamaModel,
    readonly tokenizer: Tokenizer,
    readonly template: ChatTemplate,
  ) {}

  static async load(settings: EngineSettings): Promise<LoadedModel> {
    const gguf = readGguf(settings.modelPath);
    const model = await LlamaModel.load({ modelPath: settings.modelPath, threads: settings.threads });
    return new LoadedModel(model, Tokenizer.fromGguf(gguf), ChatTemplate.fromGguf(gguf));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.model.release();
  }
}

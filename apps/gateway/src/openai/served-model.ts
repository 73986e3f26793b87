import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { HttpStatus, NotFoundException } from '@nestjs/common';
import type { ModelProfile } from '../admission/model-profile';

/** GET /v1/models entry. */
export interface ModelObject {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
}

/** The one model this service runs, under the name OpenAI clients send as `model`: its file name without `.gguf`. */
export class ServedModel {
  constructor(
    readonly id: string,
    private readonly created: number,
  ) {}

  static of(profile: ModelProfile): ServedModel {
    return new ServedModel(basename(profile.path).replace(/\.gguf$/i, ''), Math.floor(statSync(profile.path).mtimeMs / 1000));
  }

  get object(): ModelObject {
    return { id: this.id, object: 'model', created: this.created, owned_by: 'lazyllm' };
  }

  /** 404 with OpenAI's code for a model this server does not serve, as OpenAI and vLLM answer. */
  check(model: string): void {
    if (model === this.id) return;
    throw new NotFoundException({
      statusCode: HttpStatus.NOT_FOUND,
      message: `The model '${model}' does not exist; this server serves '${this.id}' (see GET /v1/models)`,
      code: 'model_not_found',
    });
  }
}

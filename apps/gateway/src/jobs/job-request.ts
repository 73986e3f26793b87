import type { GenerationOptions, JobInput, QaDocument } from '@lazyllm/contracts';
import type { DocumentDto } from './dto/document.dto';
import type { CreateJobDto } from './dto/create-job.dto';
import type { GenerationOptionsDto } from './dto/generation-options.dto';

/** A validated request as the queue carries it: plain data, no DTO instances. */
export interface JobRequest {
  readonly input: JobInput;
  readonly options: GenerationOptions;
}

export function generationOptionsOf(dto: GenerationOptionsDto): GenerationOptions {
  const { maxTokens, temperature, topK, topP, seed, stop, schedule, kvPrecision } = dto;
  return { maxTokens, temperature, topK, topP, seed, stop: [...stop], schedule, kvPrecision };
}

export function documentsOf(documents: readonly DocumentDto[]): QaDocument[] {
  return documents.map(({ title, text }) => (title === undefined ? { text } : { title, text }));
}

/** `chatByDefault` applies to a bare prompt that did not say whether to use the chat template. */
export function jobInputOf(dto: CreateJobDto, chatByDefault: boolean): JobInput {
  if (dto.messages !== undefined) return { kind: 'chat', messages: dto.messages.map(({ role, content }) => ({ role, content })) };
  if (dto.documents !== undefined && dto.question !== undefined) {
    const input = { kind: 'document-qa', documents: documentsOf(dto.documents), question: dto.question } as const;
    return dto.reusePrefix === undefined ? input : { ...input, reusePrefix: dto.reusePrefix };
  }
  if (dto.prompt !== undefined) return { kind: 'prompt', prompt: dto.prompt, chat: dto.chat ?? chatByDefault };
  // The DTO's validation guarantees one of the inputs above.
  throw new TypeError('a validated CreateJobDto has no input');
}

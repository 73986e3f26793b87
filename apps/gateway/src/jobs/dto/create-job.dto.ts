import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsNotEmpty, IsString, Length, ValidateIf } from 'class-validator';
import { noneSent, OnlyOneOf, OnlyWith } from '../../validation/input-alternatives';
import { ChatMessageDto } from './chat-message.dto';
import { DocumentDto } from './document.dto';
import { GenerationOptionsDto } from './generation-options.dto';
import { NestedArray } from '../../validation/nested-array';

const INPUTS = ['prompt', 'messages', 'documents'] as const;
export const MAX_DOCUMENTS = 100;
export const MAX_MESSAGES = 256;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * POST /jobs: exactly one input (a prompt, chat messages, or documents with a question) and the
 * generation parameters. What is missing or contradictory is reported on the field concerned; as in
 * GenerationOptionsDto, a property's checks run from the bottom up.
 */
export class CreateJobDto extends GenerationOptionsDto {
  @ApiPropertyOptional({ description: 'Send exactly one of prompt, messages, or documents with question.', example: 'What is the capital of France?' })
  @ValidateIf((o: CreateJobDto) => o.prompt !== undefined || noneSent(o, INPUTS))
  @IsDefined({ message: 'send one of prompt, messages, or documents with question' })
  @IsNotEmpty()
  @IsString()
  @OnlyOneOf(INPUTS)
  prompt?: string;

  /** Wrap the prompt as one user message in the model's chat template; defaults to whether the model has one. */
  @ApiPropertyOptional({ description: "Wrap the prompt as one user message in the model's chat template; defaults to whether the model has one." })
  @ValidateIf((o: CreateJobDto) => o.chat !== undefined)
  @IsBoolean()
  @OnlyWith('prompt')
  chat?: boolean;

  @ApiPropertyOptional({ type: [ChatMessageDto], maxItems: MAX_MESSAGES })
  @ValidateIf((o: CreateJobDto) => o.messages !== undefined)
  @NestedArray(() => ChatMessageDto, MAX_MESSAGES)
  @OnlyOneOf(INPUTS)
  messages?: ChatMessageDto[];

  @ApiPropertyOptional({ type: [DocumentDto], maxItems: MAX_DOCUMENTS, description: 'Documents to answer `question` from; they come first in the prompt, the question last.' })
  @ValidateIf((o: CreateJobDto) => o.documents !== undefined)
  @NestedArray(() => DocumentDto, MAX_DOCUMENTS)
  @OnlyOneOf(INPUTS)
  documents?: DocumentDto[];

  @ApiPropertyOptional({ description: 'Required with documents.' })
  @ValidateIf((o: CreateJobDto) => o.question !== undefined || o.documents !== undefined)
  @IsDefined({ message: 'question is required with documents' })
  @IsNotEmpty()
  @IsString()
  @OnlyWith('documents')
  question?: string;

  @ApiPropertyOptional({ default: true, description: 'With documents: share the documents\' prefix with other questions over them through the prefix cache (answers are the same either way in its exact mode).' })
  @ValidateIf((o: CreateJobDto) => o.reusePrefix !== undefined)
  @IsBoolean()
  @OnlyWith('documents')
  reusePrefix?: boolean;

  /** A retry with the same key gets the same job back instead of a second one (also as the Idempotency-Key header). */
  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, description: 'A retry with the same key gets the same job back (also as the Idempotency-Key header).' })
  @ValidateIf((o: CreateJobDto) => o.idempotencyKey !== undefined)
  @Length(1, MAX_IDEMPOTENCY_KEY_LENGTH)
  @IsString()
  idempotencyKey?: string;
}

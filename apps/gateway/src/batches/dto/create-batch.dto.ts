import type { ScheduleName, ScheduleSpec } from '@lazyllm/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsNotEmpty, IsString, ValidateIf } from 'class-validator';
import { DocumentDto } from '../../jobs/dto/document.dto';
import { GenerationOptionsDto } from '../../jobs/dto/generation-options.dto';
import { MAX_DOCUMENTS } from '../../jobs/dto/create-job.dto';
import { noneSent, OnlyOneOf, OnlyWith } from '../../validation/input-alternatives';
import { ScheduleProperty } from '../../validation/is-schedule';
import { NestedArray } from '../../validation/nested-array';

const SHAPES = ['documents', 'items'] as const;
const MAX_BATCH_QUESTIONS = 256;

/** One question over its own documents. */
export class BatchItemDto {
  @ApiProperty({ type: [DocumentDto], minItems: 1, maxItems: MAX_DOCUMENTS })
  @NestedArray(() => DocumentDto, MAX_DOCUMENTS)
  documents!: DocumentDto[];

  @ApiProperty()
  @IsNotEmpty()
  @IsString()
  question!: string;
}

/**
 * POST /batches: document QA for many questions, either over one set of documents sent once
 * (`documents` + `questions`) or as `items` that each carry their documents. One job per question.
 * A property's checks run from the bottom up (see GenerationOptionsDto).
 */
export class CreateBatchDto extends GenerationOptionsDto {
  @ApiPropertyOptional({ type: [DocumentDto], minItems: 1, maxItems: MAX_DOCUMENTS, description: 'Documents shared by every question; send with questions, or send items.' })
  @ValidateIf((o: CreateBatchDto) => o.documents !== undefined || noneSent(o, SHAPES))
  @IsDefined({ message: 'send documents with questions, or items' })
  @NestedArray(() => DocumentDto, MAX_DOCUMENTS)
  @OnlyOneOf(SHAPES)
  documents?: DocumentDto[];

  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: MAX_BATCH_QUESTIONS })
  @ValidateIf((o: CreateBatchDto) => o.questions !== undefined || o.documents !== undefined)
  @IsDefined({ message: 'questions are required with documents' })
  @IsNotEmpty({ each: true })
  @IsString({ each: true })
  @ArrayMaxSize(MAX_BATCH_QUESTIONS)
  @ArrayMinSize(1)
  @IsArray()
  @OnlyWith('documents')
  questions?: string[];

  @ApiPropertyOptional({ type: [BatchItemDto], minItems: 1, maxItems: MAX_BATCH_QUESTIONS, description: 'Questions that each carry their own documents.' })
  @ValidateIf((o: CreateBatchDto) => o.items !== undefined)
  @NestedArray(() => BatchItemDto, MAX_BATCH_QUESTIONS)
  @OnlyOneOf(SHAPES)
  items?: BatchItemDto[];

  /** A batch's questions share their documents' prefix (from the cache), so pruning starts later. */
  @ScheduleProperty(
    'batch',
    'LazyLLM pruning schedule (see the jobs endpoint). Batches default to "batch": the document prefix cache computes the layers before pruning once per document set, so pruning starts at 8/15 of the depth.',
  )
  override schedule: ScheduleSpec | ScheduleName = 'batch';
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsNumber, IsPositive, IsString, Max, MaxLength, Min } from 'class-validator';
import type { GenerationOptions, ScheduleName, ScheduleSpec } from '@lazyllm/contracts';
import { ScheduleProperty } from '../../validation/is-schedule';

/** Largest maxTokens a request may ask for; the model's context window may end a generation sooner. */
export const MAX_TOKENS_LIMIT = 4096;
const MAX_STOP_SEQUENCES = 8;
const MAX_STOP_LENGTH = 64;

/**
 * Sampling and pruning parameters, shared by single jobs and batches. A field that is not sent keeps
 * its initializer, which is validated like any value; an explicit null is refused.
 *
 * class-validator runs a property's decorators from the bottom up and reports the first failure, so the
 * type check sits next to the property and the range checks above it.
 */
export class GenerationOptionsDto implements GenerationOptions {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TOKENS_LIMIT, default: 128, description: 'Most tokens to generate.' })
  @Max(MAX_TOKENS_LIMIT)
  @Min(1)
  @IsInt()
  maxTokens = 128;

  /** 0 is greedy. */
  @ApiPropertyOptional({ minimum: 0, maximum: 2, default: 0, description: '0 is greedy.' })
  @Max(2)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  temperature = 0;

  /** 0 keeps every token. */
  @ApiPropertyOptional({ minimum: 0, default: 40, description: 'Sample from the k most likely tokens; 0 keeps every token.' })
  @Min(0)
  @IsInt()
  topK = 40;

  @ApiPropertyOptional({ exclusiveMinimum: true, minimum: 0, maximum: 1, default: 0.95 })
  @Max(1)
  @IsPositive()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  topP = 0.95;

  @ApiPropertyOptional({ minimum: 0, maximum: 0xffffffff, default: 0, description: 'Sampling seed.' })
  @Max(0xffffffff)
  @Min(0)
  @IsInt()
  seed = 0;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_STOP_SEQUENCES, default: [], description: 'Strings that end the answer (not included in it).' })
  @MaxLength(MAX_STOP_LENGTH, { each: true })
  @IsNotEmpty({ each: true })
  @IsString({ each: true })
  @ArrayMaxSize(MAX_STOP_SEQUENCES)
  @IsArray()
  stop: string[] = [];

  @ScheduleProperty(
    'default',
    'LazyLLM pruning schedule: at each listed layer, drop the tokens below that attention-importance percentile. "default" prunes at 4/15, 8/15 and 12/15 of the depth; "batch" starts later (8/15), for many questions over cached documents (the default of /batches); "none" computes every token at every layer.',
  )
  schedule: ScheduleSpec | ScheduleName = 'default';

  /** 'f32' hands the exact state to the decode pool; 'f16' halves its size. */
  @ApiPropertyOptional({ enum: ['f32', 'f16'], default: 'f32', description: "'f32' hands the exact state to the decode pool; 'f16' halves its size." })
  @IsIn(['f32', 'f16'])
  kvPrecision: 'f32' | 'f16' = 'f32';
}

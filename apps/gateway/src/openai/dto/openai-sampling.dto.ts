import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsPositive, IsString, Max, Min, ValidateNested } from 'class-validator';
import type { ScheduleName, ScheduleSpec } from '@lazyllm/contracts';
import { ScheduleProperty } from '../../validation/is-schedule';
import { IsStop, OnlyNoOp } from './openai-validators';

export class StreamOptionsDto {
  @ApiPropertyOptional({ description: 'Send a last chunk with the usage counts before [DONE].' })
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean | null;
}

const isZero = (value: unknown) => value === 0;
const isOne = (value: unknown) => value === 1;
const isEmptyObject = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).length === 0;

/**
 * Fields both OpenAI endpoints share. As in OpenAI's API, a field sent as null means its default, so
 * defaults are applied when the request is mapped to a job (openai-request.ts), not here. Parameters this
 * server cannot honour are accepted only at their no-op value. The LazyLLM fields (`top_k`, `schedule`,
 * `kv_precision`) are extras that OpenAI's clients pass through as extra body fields.
 */
export class OpenAiSamplingDto {
  @ApiProperty({ description: 'The served model, as GET /v1/models lists it.', example: 'SmolLM2-135M-Instruct.Q4_1' })
  @IsNotEmpty()
  @IsString()
  model!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 2, default: 1, description: '0 is greedy.' })
  @IsOptional()
  @Max(2)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  temperature?: number | null;

  @ApiPropertyOptional({ exclusiveMinimum: true, minimum: 0, maximum: 1, default: 1 })
  @IsOptional()
  @Max(1)
  @IsPositive()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  top_p?: number | null;

  @ApiPropertyOptional({ enum: [1], default: 1, description: 'One choice per request.' })
  @OnlyNoOp(isOne, 'send 1 or leave it out (one choice per request)')
  n?: number | null;

  @ApiPropertyOptional({ default: false, description: 'Stream the answer as Server-Sent Events `data:` chunks ending with `data: [DONE]`.' })
  @IsOptional()
  @IsBoolean()
  stream?: boolean | null;

  @ApiPropertyOptional({ type: StreamOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  @IsObject()
  stream_options?: StreamOptionsDto | null;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 8 }], description: 'Text that ends the answer (not included).' })
  @IsOptional()
  @IsStop()
  stop?: string | string[] | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 0xffffffff, description: 'Sampling seed; random when left out.' })
  @IsOptional()
  @Max(0xffffffff)
  @Min(0)
  @IsInt()
  seed?: number | null;

  @ApiPropertyOptional({ enum: [0] })
  @OnlyNoOp(isZero, 'send 0 or leave it out')
  presence_penalty?: number | null;

  @ApiPropertyOptional({ enum: [0] })
  @OnlyNoOp(isZero, 'send 0 or leave it out')
  frequency_penalty?: number | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: false, description: 'Only {} is accepted.' })
  @OnlyNoOp(isEmptyObject, 'send {} or leave it out')
  logit_bias?: Record<string, number> | null;

  @ApiPropertyOptional({ description: 'Accepted and ignored.' })
  @IsOptional()
  @IsString()
  user?: string | null;

  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'LazyLLM extra: sample from the k most likely tokens (0 keeps all).' })
  @IsOptional()
  @Min(0)
  @IsInt()
  top_k?: number | null;

  @ScheduleProperty('default', 'LazyLLM extra: the pruning schedule. "default" is the engine\'s schedule, "batch" starts pruning later (for cached document prefixes), "none" computes every token at every layer.')
  @IsOptional()
  schedule?: ScheduleSpec | ScheduleName | null;

  @ApiPropertyOptional({ enum: ['f32', 'f16'], default: 'f32', description: 'LazyLLM extra: KV precision of the prefill-to-decode handoff.' })
  @IsOptional()
  @IsIn(['f32', 'f16'])
  kv_precision?: 'f32' | 'f16' | null;
}

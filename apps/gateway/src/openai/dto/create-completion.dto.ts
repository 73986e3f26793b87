import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_TOKENS_LIMIT } from '../../jobs/dto/generation-options.dto';
import { OpenAiSamplingDto } from './openai-sampling.dto';
import { IsSinglePrompt, OnlyNoOp } from './openai-validators';

/** POST /v1/completions: raw text completion, no chat template. */
export class CreateCompletionDto extends OpenAiSamplingDto {
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1 }], example: 'The capital of France is' })
  @IsSinglePrompt()
  prompt!: string | string[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TOKENS_LIMIT, default: 16 })
  @IsOptional()
  @Max(MAX_TOKENS_LIMIT)
  @Min(1)
  @IsInt()
  max_tokens?: number | null;

  @ApiPropertyOptional({ enum: [false] })
  @OnlyNoOp((value) => value === false, 'send false or leave it out')
  echo?: boolean | null;

  @ApiPropertyOptional({ enum: [1] })
  @OnlyNoOp((value) => value === 1, 'send 1 or leave it out')
  best_of?: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'Not supported: leave it out.' })
  @OnlyNoOp(() => false, 'leave it out')
  logprobs?: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'Not supported: leave it out.' })
  @OnlyNoOp(() => false, 'leave it out')
  suffix?: string | null;
}

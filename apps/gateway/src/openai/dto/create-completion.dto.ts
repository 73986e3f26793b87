import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OpenAiSamplingDto } from './openai-sampling.dto';
import { IsSinglePrompt, OnlyNoOp, OptionalTokenCount } from './openai-validators';

/** POST /v1/completions: raw text completion, no chat template. */
export class CreateCompletionDto extends OpenAiSamplingDto {
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1 }], example: 'The capital of France is' })
  @IsSinglePrompt()
  prompt!: string | string[];

  @OptionalTokenCount({ default: 16 })
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

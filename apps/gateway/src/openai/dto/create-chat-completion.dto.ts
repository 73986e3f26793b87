import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_MESSAGES } from '../../jobs/dto/create-job.dto';
import { MAX_TOKENS_LIMIT } from '../../jobs/dto/generation-options.dto';
import { ChatMessageParamDto } from './chat-message-param.dto';
import { OpenAiSamplingDto } from './openai-sampling.dto';
import { OnlyNoOp, OptionalTokenCount } from './openai-validators';
import { NestedArray } from '../../validation/nested-array';

/** POST /v1/chat/completions: messages rendered with the model's chat template. */
export class CreateChatCompletionDto extends OpenAiSamplingDto {
  @ApiProperty({ type: [ChatMessageParamDto], minItems: 1, maxItems: MAX_MESSAGES })
  @NestedArray(() => ChatMessageParamDto, MAX_MESSAGES)
  messages!: ChatMessageParamDto[];

  @OptionalTokenCount({ description: `Default: up to ${MAX_TOKENS_LIMIT} tokens, or the end of the context window.` })
  max_completion_tokens?: number | null;

  @OptionalTokenCount({ description: 'The older name of max_completion_tokens.' })
  max_tokens?: number | null;

  @ApiPropertyOptional({ enum: [false] })
  @OnlyNoOp((value) => value === false, 'send false or leave it out')
  logprobs?: boolean | null;

  @ApiPropertyOptional({ nullable: true, description: 'Not supported: leave it out.' })
  @OnlyNoOp(() => false, 'leave it out')
  top_logprobs?: number | null;

  @ApiPropertyOptional({ type: 'object', properties: { type: { type: 'string', enum: ['text'] } }, description: 'Only {"type": "text"}.' })
  @OnlyNoOp((value) => typeof value === 'object' && value !== null && JSON.stringify(value) === '{"type":"text"}', 'send {"type": "text"} or leave it out')
  response_format?: { type: 'text' } | null;
}

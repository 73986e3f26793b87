import { Body, Controller, HttpCode, HttpStatus, Post, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CreateChatCompletionDto } from './dto/create-chat-completion.dto';
import { CreateCompletionDto } from './dto/create-completion.dto';
import { OpenAiCompletionsService } from './openai-completions.service';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { chatJobRequest, completionJobRequest } from './openai-request';

const ANSWER = 'The answer (application/json), or with `stream: true` Server-Sent Events `data:` chunks ending with `data: [DONE]`. Both carry a `lazyllm` object: job id, share of computation done, revived tokens, timings.';

@ApiTags('OpenAI-compatible')
@ApiBearerAuth()
@UseFilters(OpenAiExceptionFilter)
@Controller('v1')
export class CompletionsController {
  constructor(private readonly completions: OpenAiCompletionsService) {}

  @Post('completions')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Complete raw text (no chat template)' })
  @ApiOkResponse({ description: ANSWER })
  completion(@Body() body: CreateCompletionDto, @Res() response: Response): Promise<void> {
    return this.completions.respond('text', body, completionJobRequest(body), response);
  }

  @Post('chat/completions')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Answer chat messages, rendered with the model's chat template" })
  @ApiOkResponse({ description: ANSWER })
  chatCompletion(@Body() body: CreateChatCompletionDto, @Res() response: Response): Promise<void> {
    return this.completions.respond('chat', body, chatJobRequest(body), response);
  }
}

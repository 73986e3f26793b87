import { HttpStatus, UnprocessableEntityException } from '@nestjs/common';

/** 422 with the numbers a client needs to shorten its request. */
export class PromptTooLongException extends UnprocessableEntityException {
  constructor(promptTokens: number, limit: number, where: string) {
    super({
      statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
      error: 'Unprocessable Entity',
      message: `${where}prompt has ${promptTokens} tokens; the limit is ${limit}`,
      promptTokens,
      limit,
    });
  }
}

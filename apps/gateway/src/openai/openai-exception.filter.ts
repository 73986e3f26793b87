import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { PromptTooLongException } from '../admission/prompt-too-long.exception';

/** OpenAI's error body, which its clients read into their error classes. */
export interface OpenAiError {
  readonly error: { readonly message: string; readonly type: string; readonly param: null; readonly code: string | null };
}

function errorType(status: number): string {
  if (status === HttpStatus.UNAUTHORIZED) return 'authentication_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** Status and body for an exception on an OpenAI route; too long a prompt is a 400 with OpenAI's code for it. */
export function openAiError(exception: unknown): { status: number; body: OpenAiError } {
  if (!(exception instanceof HttpException)) {
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: { message: 'internal server error', type: 'server_error', param: null, code: null } } };
  }
  const response = exception.getResponse();
  const fields = typeof response === 'string' ? { message: response } : (response as { message?: string | string[]; code?: string });
  const message = Array.isArray(fields.message) ? fields.message.join('; ') : (fields.message ?? exception.message);
  if (exception instanceof PromptTooLongException) {
    return { status: HttpStatus.BAD_REQUEST, body: { error: { message, type: 'invalid_request_error', param: null, code: 'context_length_exceeded' } } };
  }
  const status = exception.getStatus();
  const code = fields.code ?? (status === HttpStatus.UNAUTHORIZED ? 'invalid_api_key' : null);
  return { status, body: { error: { message, type: errorType(status), param: null, code } } };
}

/** Errors on /v1 routes in OpenAI's shape, guard and validation errors included. */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAiApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (!(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    // A streamed answer has sent its status already; it reports errors in-band.
    if (response.headersSent) {
      response.end();
      return;
    }
    const { status, body } = openAiError(exception);
    response.status(status).json(body);
  }
}

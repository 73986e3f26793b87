import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, registerDecorator, type ValidationOptions } from 'class-validator';
import { MAX_TOKENS_LIMIT } from '../../jobs/dto/generation-options.dto';

/** A class-validator check on one property, with its message. */
function check(name: string, valid: (value: unknown) => boolean, message: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: { validate: valid, defaultMessage: () => `${String(propertyName)} ${message}` },
    });
}

const MAX_STOP_SEQUENCES = 8;
const MAX_STOP_LENGTH = 64;

function isStopString(value: unknown): boolean {
  return typeof value === 'string' && value !== '' && value.length <= MAX_STOP_LENGTH;
}

/** OpenAI's `stop`: one string or a list of them. */
export function IsStop(): PropertyDecorator {
  return check(
    'isStop',
    (value) => isStopString(value) || (Array.isArray(value) && value.length <= MAX_STOP_SEQUENCES && value.every(isStopString)),
    `must be a string or an array of at most ${MAX_STOP_SEQUENCES} strings, each 1 to ${MAX_STOP_LENGTH} characters`,
  );
}

/** The completions `prompt`: one string (or a list holding one); token arrays and several prompts are not served. */
export function IsSinglePrompt(): PropertyDecorator {
  const text = (value: unknown) => typeof value === 'string' && value !== '';
  return check('isSinglePrompt', (value) => text(value) || (Array.isArray(value) && value.length === 1 && text(value[0])), 'must be a non-empty string (one prompt per request)');
}

/** Chat message `content`: a string, or text parts `{type: "text", text}`. */
export function IsTextContent(): PropertyDecorator {
  const part = (value: unknown) => typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'text' && typeof (value as { text?: unknown }).text === 'string';
  return check('isTextContent', (value) => typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every(part)), 'must be a string or an array of {"type": "text", "text": string} parts');
}

/** An OpenAI parameter this server accepts only at its no-op value, so a client that sends the default is served. */
export function OnlyNoOp(allowed: (value: unknown) => boolean, what: string): PropertyDecorator {
  return check('onlyNoOp', (value) => value === undefined || value === null || allowed(value), `is not supported by this server; ${what}`);
}

/** An optional count of tokens to generate, from 1 to the service's limit. */
export function OptionalTokenCount(doc: { default?: number; description?: string }): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ minimum: 1, maximum: MAX_TOKENS_LIMIT, ...doc }), IsOptional(), Max(MAX_TOKENS_LIMIT), Min(1), IsInt());
}

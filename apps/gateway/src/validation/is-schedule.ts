import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';
import { SCHEDULE_NAMES, ScheduleName, ScheduleSpec } from '@lazyllm/contracts';

/** The OpenAPI shape of a schedule field. */
const SCHEDULE_SCHEMA = {
  oneOf: [
    { type: 'string', enum: [...SCHEDULE_NAMES] },
    { type: 'object', properties: { layers: { type: 'array', items: { type: 'integer' } }, percentiles: { type: 'array', items: { type: 'number' } } } },
  ],
};

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => typeof n === 'number' && Number.isFinite(n));
}

function isScheduleShape(value: unknown): value is ScheduleSpec | ScheduleName {
  if (typeof value === 'string') return (SCHEDULE_NAMES as readonly string[]).includes(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value).sort();
  const spec = value as Record<string, unknown>;
  return keys.join() === 'layers,percentiles' && isNumberArray(spec.layers) && isNumberArray(spec.percentiles);
}

/**
 * The shape of a pruning schedule. Its rules (increasing layers inside the model, percentiles in
 * [0, 100)) are the engine's, checked against the model by the service, so they live in one place.
 */
export function IsSchedule(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSchedule',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: isScheduleShape,
        defaultMessage: () => `${String(propertyName)} must be ${SCHEDULE_NAMES.map((name) => `"${name}"`).join(', ')} or {"layers": number[], "percentiles": number[]}`,
      },
    });
}

/** A schedule field: its OpenAPI entry, with the name it defaults to, and its validation. */
export function ScheduleProperty(defaultName: ScheduleName, description: string): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ ...SCHEDULE_SCHEMA, default: defaultName, description }), IsSchedule());
}

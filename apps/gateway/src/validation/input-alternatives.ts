import { registerDecorator, type ValidationArguments } from 'class-validator';

type Fields = Record<string, unknown>;

function definedAmong(object: object, fields: readonly string[]): string[] {
  return fields.filter((field) => (object as Fields)[field] !== undefined);
}

/**
 * Marks one of several mutually exclusive fields. When more than one is sent, the error is reported once,
 * on the first of them, naming them all.
 */
export function OnlyOneOf(fields: readonly string[]): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'onlyOneOf',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => {
          const defined = definedAmong(args.object, fields);
          return defined.length <= 1 || defined[0] !== args.property;
        },
        defaultMessage: () => `send only one of ${fields.join(', ')}`,
      },
    });
}

/** The field makes sense only together with `other` (e.g. `question` with `documents`). */
export function OnlyWith(other: string): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'onlyWith',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => (args.object as Fields)[other] !== undefined,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} is allowed only with ${other}`,
      },
    });
}

/** True when none of `fields` was sent: the first of them then reports what is missing. */
export function noneSent(object: object, fields: readonly string[]): boolean {
  return definedAmong(object, fields).length === 0;
}

import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateNested } from 'class-validator';

/**
 * A non-empty array of at most `max` objects, each validated as `itemType`. The checks run in the
 * order listed (type first), as they would stacked bottom-up on the property.
 */
export function NestedArray(itemType: () => new () => object, max: number): PropertyDecorator {
  return applyDecorators(IsArray(), ArrayMinSize(1), ArrayMaxSize(max), IsObject({ each: true }), Type(itemType), ValidateNested({ each: true }));
}

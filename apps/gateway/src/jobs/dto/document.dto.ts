import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { QaDocument } from '@lazyllm/contracts';

export class DocumentDto implements QaDocument {
  @ValidateIf((_, value) => value !== undefined)
  @MaxLength(500)
  @IsString()
  title?: string;

  @IsNotEmpty()
  @IsString()
  text!: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, ValidateIf } from 'class-validator';

export class BatchResultsQueryDto {
  /** jsonl: one result per line (application/x-ndjson), as also chosen by that Accept header. */
  @ApiPropertyOptional({ enum: ['json', 'jsonl'], description: 'jsonl: one result per line (application/x-ndjson), as also chosen by that Accept header.' })
  @ValidateIf((_, value) => value !== undefined)
  @IsIn(['json', 'jsonl'])
  format?: 'json' | 'jsonl';
}

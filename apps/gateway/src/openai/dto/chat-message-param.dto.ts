import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsTextContent } from './openai-validators';

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

/** One message of a chat request; "developer" is taken as "system". */
export class ChatMessageParamDto {
  @ApiProperty({ enum: ['system', 'developer', 'user', 'assistant'] })
  @IsIn(['system', 'developer', 'user', 'assistant'])
  role!: 'system' | 'developer' | 'user' | 'assistant';

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', properties: { type: { type: 'string', enum: ['text'] }, text: { type: 'string' } } } }] })
  @IsTextContent()
  content!: string | TextPart[];

  @ApiPropertyOptional({ description: 'Accepted and ignored.' })
  @IsOptional()
  @IsString()
  name?: string;
}

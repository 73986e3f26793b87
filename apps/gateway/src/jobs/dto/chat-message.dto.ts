import { IsIn, IsString } from 'class-validator';
import type { ChatMessage } from '@lazyllm/contracts';

export class ChatMessageDto implements ChatMessage {
  @IsIn(['system', 'user', 'assistant'])
  role!: 'system' | 'user' | 'assistant';

  @IsString()
  content!: string;
}

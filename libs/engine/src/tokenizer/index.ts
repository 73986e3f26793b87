export { Tokenizer } from './bpe-tokenizer';
export type { DecodeOptions, EncodeOptions, StreamDecoder } from './bpe-tokenizer';
export { ChatTemplate } from './chat-template';
export type { ChatMessage, ChatRole, RenderOptions } from './chat-template';

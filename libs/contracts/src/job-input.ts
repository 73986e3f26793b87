/** What a client asks for, after the gateway has validated it. Shared by the gateway and both worker pools. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface QaDocument {
  readonly title?: string;
  readonly text: string;
}

export type JobInput =
  /** Raw text; `chat` wraps it as one user message in the model's chat template. */
  | { readonly kind: 'prompt'; readonly prompt: string; readonly chat: boolean }
  | { readonly kind: 'chat'; readonly messages: readonly ChatMessage[] }
  /** Documents first and the question last, the layout LazyLLM and the prefix cache rely on. */
  | {
      readonly kind: 'document-qa';
      readonly documents: readonly QaDocument[];
      readonly question: string;
      /** Take the documents' prefix from the shared prefix cache, or store it there (default true). */
      readonly reusePrefix?: boolean;
    };

/**
 * Named pruning schedules: 'default' (LazyLLM for a prompt computed once), 'batch' (LazyLLM that starts
 * pruning later, for many questions over documents whose prefix is cached), 'none' (every token at every layer).
 */
export const SCHEDULE_NAMES = ['default', 'batch', 'none'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

export interface ScheduleSpec {
  readonly layers: readonly number[];
  readonly percentiles: readonly number[];
}

export interface GenerationOptions {
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly seed: number;
  /** Strings that end the answer when generated (not included in it). */
  readonly stop: readonly string[];
  readonly schedule: ScheduleSpec | ScheduleName;
  /** KV precision of the handoff state: 'f32' is lossless, 'f16' compact. */
  readonly kvPrecision: 'f32' | 'f16';
}

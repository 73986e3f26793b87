import type { JobInput } from '@lazyllm/contracts';
import type { ChatMessage, ChatTemplate, Tokenizer } from '@lazyllm/engine';
import { documentQaCompletionPrompt, documentQaPrompt } from './document-qa-prompt';

/** The text the model reads for a request, and whether it contains the chat template's control tokens. */
export interface PromptText {
  readonly text: string;
  /** True for template output: its control tokens (e.g. "<|im_start|>") are parsed as such. */
  readonly templated: boolean;
}

/** A request as chat messages for the template, or as raw text that the model reads as is. */
type PromptParts = { readonly messages: ChatMessage[] } | { readonly raw: string };

/**
 * `prompt` with chat and `chat` need the model's chat template (ChatTemplate.render throws a GgufError
 * naming the model otherwise); `document-qa` uses it when the model has one.
 */
function promptParts(input: JobInput, template: ChatTemplate): PromptParts {
  const user = (content: string): PromptParts => ({ messages: [{ role: 'user', content }] });
  switch (input.kind) {
    case 'prompt':
      return input.chat ? user(input.prompt) : { raw: input.prompt };
    case 'chat':
      return { messages: input.messages.map((m) => ({ role: m.role, content: m.content })) };
    case 'document-qa':
      return template.available ? user(documentQaPrompt(input.documents, input.question)) : { raw: documentQaCompletionPrompt(input.documents, input.question) };
  }
}

export function promptText(input: JobInput, template: ChatTemplate): PromptText {
  const parts = promptParts(input, template);
  if ('raw' in parts) return { text: parts.raw, templated: false };
  return { text: template.render(parts.messages, { addGenerationPrompt: true }), templated: true };
}

/**
 * Token ids of a request. Control tokens are parsed only in the template's own markup, never in what
 * the user wrote: a message containing "<|im_end|>" stays text and cannot close its turn early.
 */
export function promptTokens(input: JobInput, tokenizer: Tokenizer, template: ChatTemplate): number[] {
  const parts = promptParts(input, template);
  if ('raw' in parts) return tokenizer.encode(parts.raw, { parseSpecial: false });
  return encodeChat(parts.messages, tokenizer, template);
}

/** A piece of the rendered conversation: template markup, or a message's content as the user wrote it. */
interface Piece {
  readonly text: string;
  readonly markup: boolean;
}

// Private-use characters frame the placeholders, so template text cannot be mistaken for one.
const placeholder = (i: number) => `\uE000${i}\uE001`;
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/**
 * Renders the template with placeholders for the contents, then cuts control tokens out of the markup
 * only and encodes every run of text between them in one piece, as the whole text would be: so a
 * conversation without control-token text in it gets the very tokens that encoding it whole gives.
 */
function encodeChat(messages: ChatMessage[], tokenizer: Tokenizer, template: ChatTemplate): number[] {
  const withPlaceholders = template.render(
    messages.map((m, i) => ({ ...m, content: placeholder(i) })),
    { addGenerationPrompt: true },
  );
  const pieces: Piece[] = [];
  let from = 0;
  for (const match of withPlaceholders.matchAll(PLACEHOLDER)) {
    pieces.push({ text: withPlaceholders.slice(from, match.index), markup: true });
    pieces.push({ text: messages[Number(match[1])].content, markup: false });
    from = match.index + match[0].length;
  }
  pieces.push({ text: withPlaceholders.slice(from), markup: true });
  // A template that rewrites contents (trims them, say) did not place them verbatim: refuse rather than guess.
  if (pieces.map((p) => p.text).join('') !== template.render(messages, { addGenerationPrompt: true })) {
    throw new RangeError('the chat template changes message contents, so control tokens in them cannot be kept apart from its markup');
  }

  const controls = controlTokensIn(pieces.filter((p) => p.markup).map((p) => p.text), tokenizer);
  const out = tokenizer.encode('', { parseSpecial: false });
  let text = '';
  const flush = () => {
    if (text !== '') out.push(...tokenizer.encode(text, { parseSpecial: false, addBos: false }));
    text = '';
  };
  for (const piece of pieces) {
    if (!piece.markup) {
      text += piece.text;
      continue;
    }
    for (const fragment of splitAtControls(piece.text, controls)) {
      if (typeof fragment === 'number') {
        flush();
        out.push(fragment);
      } else {
        text += fragment;
      }
    }
  }
  flush();
  return out;
}

interface ControlToken {
  readonly id: number;
  readonly text: string;
}

/** The control tokens the markup contains: ids that special parsing gives and plain encoding of their text does not. */
function controlTokensIn(markup: string[], tokenizer: Tokenizer): ControlToken[] {
  const found = new Map<number, string>();
  for (const text of markup) {
    for (const id of tokenizer.encode(text, { parseSpecial: true, addBos: false })) {
      if (found.has(id)) continue;
      const spelled = tokenizer.decode([id]);
      const plain = tokenizer.encode(spelled, { parseSpecial: false, addBos: false });
      if (plain.length !== 1 || plain[0] !== id) found.set(id, spelled);
    }
  }
  // Longest first, as the tokenizer's own special-token splitting tries them.
  return [...found].map(([id, text]) => ({ id, text })).sort((a, b) => Buffer.byteLength(b.text) - Buffer.byteLength(a.text) || a.id - b.id);
}

/** `text` cut at every occurrence of a control token: text runs as strings, tokens as ids. */
function splitAtControls(text: string, controls: readonly ControlToken[]): (string | number)[] {
  let fragments: (string | number)[] = text === '' ? [] : [text];
  for (const control of controls) {
    fragments = fragments.flatMap((f) => (typeof f === 'number' ? [f] : f.split(control.text).flatMap((run, i) => (i === 0 ? [run] : [control.id, run])).filter((x) => x !== '')));
  }
  return fragments;
}

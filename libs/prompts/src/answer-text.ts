import type { StreamDecoder, Tokenizer } from '@lazyllm/engine';

/** What one generated token adds to the answer. */
export interface AnswerPiece {
  /** Text that became final with this token: possibly empty while it could still begin a stop string. */
  readonly text: string;
  /** The answer reached a stop string: the text ends before it, and later tokens add nothing. */
  readonly stopped: boolean;
}

/**
 * The answer's text as tokens arrive: detokenized incrementally (a character split across tokens comes
 * out whole) and cut before the first stop string. Text that could be the start of a stop string is
 * held back until it is clear, so streamed text never shows part of a stop string. Feeding the same
 * tokens always gives the same pieces, which is how a resumed generation reproduces the pieces an
 * earlier process streamed.
 */
export class AnswerText {
  private readonly decoder: StreamDecoder;
  private readonly stops: readonly string[];
  private held = '';
  private released = '';
  private reachedStop = false;

  constructor(tokenizer: Tokenizer, stop: readonly string[]) {
    this.decoder = tokenizer.createStreamDecoder({ skipSpecial: true });
    this.stops = stop.filter((s) => s !== '');
  }

  get stopped(): boolean {
    return this.reachedStop;
  }

  /** The answer so far (without held-back text). */
  get text(): string {
    return this.released;
  }

  push(token: number): AnswerPiece {
    if (this.stopped) return { text: '', stopped: true };
    const buffer = this.held + this.decoder.push(token);
    const stop = this.firstStop(buffer);
    if (stop !== undefined) {
      this.held = '';
      this.reachedStop = true;
      return this.release(buffer.slice(0, stop), true);
    }
    const keep = this.stopPrefixLength(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return this.release(buffer.slice(0, buffer.length - keep), false);
  }

  /** Ends the answer: releases what was held back (nothing once a stop string was reached). */
  finish(): string {
    if (this.stopped) return '';
    const rest = this.held + this.decoder.flush();
    this.held = '';
    this.released += rest;
    return rest;
  }

  private release(text: string, stopped: boolean): AnswerPiece {
    this.released += text;
    return { text, stopped };
  }

  private firstStop(buffer: string): number | undefined {
    let first: number | undefined;
    for (const s of this.stops) {
      const at = buffer.indexOf(s);
      if (at >= 0 && (first === undefined || at < first)) first = at;
    }
    return first;
  }

  /** Length of the longest end of `buffer` that is the beginning of some stop string. */
  private stopPrefixLength(buffer: string): number {
    let longest = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, buffer.length); n > longest; n--) {
        if (buffer.endsWith(s.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}

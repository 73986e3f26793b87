/** A run of ordinary text still to be BPE-encoded, or a special token already resolved to its id. */
export type Fragment = { text: string } | { id: number };

export interface SpecialToken {
  readonly id: number;
  readonly text: string;
}

/**
 * Cuts literal occurrences of special tokens out of `text`, as llama.cpp's tokenizer_st_partition does:
 * tokens are tried longest first, each splitting every remaining text fragment at all its occurrences,
 * so a longer token wins over a shorter one it contains.
 */
export class SpecialTokenSplitter {
  private readonly tokens: SpecialToken[];

  constructor(tokens: readonly SpecialToken[]) {
    this.tokens = [...tokens].filter((t) => t.text.length > 0).sort((a, b) => utf8Length(b.text) - utf8Length(a.text) || a.id - b.id);
  }

  split(text: string): Fragment[] {
    let fragments: Fragment[] = text.length > 0 ? [{ text }] : [];
    for (const token of this.tokens) {
      if (!text.includes(token.text)) continue;
      fragments = fragments.flatMap((f) => ('text' in f ? splitAt(f.text, token) : [f]));
    }
    return fragments;
  }
}

function splitAt(text: string, token: SpecialToken): Fragment[] {
  const out: Fragment[] = [];
  let from = 0;
  for (let at = text.indexOf(token.text); at >= 0; at = text.indexOf(token.text, from)) {
    if (at > from) out.push({ text: text.slice(from, at) });
    out.push({ id: token.id });
    from = at + token.text.length;
  }
  if (from < text.length) out.push({ text: text.slice(from) });
  return out;
}

/** llama.cpp orders by byte length; UTF-16 length would order non-ASCII tokens differently. */
function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

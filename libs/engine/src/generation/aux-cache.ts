/** LazyLLM's Aux Cache: for a token that stopped at depth d < L, its hidden state at the input of layer d. */
export interface AuxEntry {
  readonly depth: number;
  readonly hidden: Float32Array;
}

export class AuxCache {
  private readonly entries = new Map<number, AuxEntry>();

  get size(): number {
    return this.entries.size;
  }

  get(token: number): AuxEntry | undefined {
    return this.entries.get(token);
  }

  set(token: number, depth: number, hidden: Float32Array): void {
    this.entries.set(token, { depth, hidden });
  }

  /** A revived token's entry is consumed: from now on it has KV at that layer instead. */
  take(token: number, depth: number): Float32Array {
    const e = this.entries.get(token);
    if (!e || e.depth !== depth) {
      throw new Error(`token ${token} has no Aux Cache entry at depth ${depth} (found ${e ? `depth ${e.depth}` : 'none'})`);
    }
    this.entries.delete(token);
    return e.hidden;
  }

  /** Entries ordered by token, for serialization. */
  sorted(): [number, AuxEntry][] {
    return [...this.entries.entries()].sort((a, b) => a[0] - b[0]);
  }
}

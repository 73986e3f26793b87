/**
 * Keys and values of one layer for the tokens that have them, one row per token, in the order they
 * were computed (attention masks by position, so row order does not matter). Rows are never
 * rewritten: a (token, layer) pair is computed at most once.
 */
export class LayerKvStore {
  private keyRows: Float32Array;
  private valueRows: Float32Array;
  private tokenOfRow: Int32Array;
  private rows = 0;

  constructor(readonly width: number, capacity = 64) {
    this.keyRows = new Float32Array(capacity * width);
    this.valueRows = new Float32Array(capacity * width);
    this.tokenOfRow = new Int32Array(capacity);
  }

  /**
   * A store over rows restored from elsewhere, taking the arrays as its buffers without copying; their
   * length beyond `rows` is room for the rows still to come.
   */
  static adopt(width: number, rows: number, tokens: Int32Array, keys: Float32Array, values: Float32Array): LayerKvStore {
    if (rows > tokens.length || keys.length !== tokens.length * width || values.length !== keys.length) {
      throw new RangeError(`cannot adopt ${rows} rows of width ${width}: ${tokens.length} token slots, ${keys.length} keys, ${values.length} values`);
    }
    const store = new LayerKvStore(width, 0);
    store.keyRows = keys;
    store.valueRows = values;
    store.tokenOfRow = tokens;
    store.rows = rows;
    return store;
  }

  get count(): number {
    return this.rows;
  }
  /** Backing buffers; only the first `count` rows are meaningful. */
  get keys(): Float32Array {
    return this.keyRows;
  }
  get values(): Float32Array {
    return this.valueRows;
  }
  get tokens(): Int32Array {
    return this.tokenOfRow.subarray(0, this.rows);
  }

  append(tokens: ArrayLike<number>, keys: Float32Array, values: Float32Array): void {
    const n = tokens.length;
    this.reserve(this.rows + n);
    this.keyRows.set(keys.subarray(0, n * this.width), this.rows * this.width);
    this.valueRows.set(values.subarray(0, n * this.width), this.rows * this.width);
    for (let i = 0; i < n; i++) this.tokenOfRow[this.rows + i] = tokens[i];
    this.rows += n;
  }

  private reserve(rows: number): void {
    if (rows <= this.tokenOfRow.length) return;
    const capacity = Math.max(rows, this.tokenOfRow.length * 2);
    const grow = <T extends Float32Array | Int32Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.keyRows = grow(this.keyRows, capacity * this.width);
    this.valueRows = grow(this.valueRows, capacity * this.width);
    this.tokenOfRow = grow(this.tokenOfRow, capacity);
  }
}

import { dequantize } from '@lazyllm/engine/gguf/dequantize';
import { GgufError, GgufFile, metaNumber } from '@lazyllm/engine/gguf/gguf-reader';

/**
 * An independent Llama forward pass in plain JavaScript, Float64 throughout, written from the
 * architecture's definition rather than from the engine's graphs. Only weight decoding is shared with
 * the engine (`dequantize`, tested on its own). It works one layer at a time on any subset of tokens
 * at explicit positions against a per-layer KV cache, which is what a reference LazyLLM run needs.
 */

export interface ReferenceConfig {
  readonly layerCount: number;
  readonly hiddenSize: number;
  readonly headCount: number;
  readonly kvHeadCount: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  readonly rmsEpsilon: number;
  readonly ropeTheta: number;
}

/**
 * Math's functions are bound once here: under jest every global lookup inside a hot loop goes through
 * the test context's interceptors and keeps V8 from optimizing it (measured ~20x slower).
 */
const { cos, exp, max, sin, sqrt } = Math;

/** Row-major [rows, cols]; y = W x takes cols inputs to rows outputs. */
interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

interface ReferenceLayerWeights {
  readonly attnNorm: Float64Array;
  readonly q: Matrix;
  readonly k: Matrix;
  readonly v: Matrix;
  readonly o: Matrix;
  readonly ffnNorm: Float64Array;
  readonly gate: Matrix;
  readonly up: Matrix;
  readonly down: Matrix;
}

/** One layer's keys (after RoPE) and values, by token position. */
export class ReferenceKvCache {
  readonly keys = new Map<number, Float64Array>();
  readonly values = new Map<number, Float64Array>();
}

export interface LayerRow {
  readonly position: number;
  /** Hidden state at the layer's input. */
  readonly hidden: Float64Array;
}

export interface ReferenceLayerResult {
  /** Hidden state at the layer's output, one per row. */
  readonly hidden: Float64Array[];
  /** The last row's attention probabilities averaged over heads, by key position. */
  readonly lastAttention: Map<number, number>;
}

function tensorValues(f: GgufFile, name: string): Float64Array {
  const t = f.tensors.get(name);
  if (!t) throw new GgufError(f.path, `missing tensor "${name}"`);
  return Float64Array.from(dequantize(t.type, f.tensorData(name), t.elementCount));
}

function matrix(f: GgufFile, name: string): Matrix {
  const t = f.tensors.get(name);
  if (!t || t.dims.length !== 2) throw new GgufError(f.path, `"${name}" is not a matrix`);
  return { cols: t.dims[0], rows: t.dims[1], data: tensorValues(f, name) };
}

function matVec(w: Matrix, x: Float64Array): Float64Array {
  const y = new Float64Array(w.rows);
  for (let r = 0; r < w.rows; r++) {
    let sum = 0;
    const row = r * w.cols;
    for (let c = 0; c < w.cols; c++) sum += w.data[row + c] * x[c];
    y[r] = sum;
  }
  return y;
}

function rmsNorm(x: Float64Array, gain: Float64Array, epsilon: number): Float64Array {
  let squares = 0;
  for (const v of x) squares += v * v;
  const scale = 1 / sqrt(squares / x.length + epsilon);
  return x.map((v, i) => v * scale * gain[i]);
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

export class ReferenceLlama {
  private constructor(
    readonly config: ReferenceConfig,
    private readonly embedding: Matrix,
    private readonly layers: ReferenceLayerWeights[],
    private readonly outputNorm: Float64Array,
    private readonly output: Matrix,
  ) {}

  static fromGguf(f: GgufFile): ReferenceLlama {
    const n = (key: string) => metaNumber(f, `llama.${key}`);
    const embedding = matrix(f, 'token_embd.weight');
    const hiddenSize = n('embedding_length');
    const headCount = n('attention.head_count');
    const config: ReferenceConfig = {
      layerCount: n('block_count'),
      hiddenSize,
      headCount,
      kvHeadCount: n('attention.head_count_kv'),
      headDim: hiddenSize / headCount,
      intermediateSize: n('feed_forward_length'),
      vocabSize: embedding.rows,
      rmsEpsilon: n('attention.layer_norm_rms_epsilon'),
      ropeTheta: n('rope.freq_base'),
    };
    const layers = Array.from({ length: config.layerCount }, (_, l) => {
      const p = `blk.${l}.`;
      return {
        attnNorm: tensorValues(f, `${p}attn_norm.weight`),
        q: matrix(f, `${p}attn_q.weight`),
        k: matrix(f, `${p}attn_k.weight`),
        v: matrix(f, `${p}attn_v.weight`),
        o: matrix(f, `${p}attn_output.weight`),
        ffnNorm: tensorValues(f, `${p}ffn_norm.weight`),
        gate: matrix(f, `${p}ffn_gate.weight`),
        up: matrix(f, `${p}ffn_up.weight`),
        down: matrix(f, `${p}ffn_down.weight`),
      };
    });
    const output = f.tensors.has('output.weight') ? matrix(f, 'output.weight') : embedding;
    return new ReferenceLlama(config, embedding, layers, tensorValues(f, 'output_norm.weight'), output);
  }

  embed(token: number): Float64Array {
    const e = this.config.hiddenSize;
    return this.embedding.data.slice(token * e, (token + 1) * e);
  }

  /**
   * Decoder layer `l` for `rows` (ascending positions): their keys and values go into `cache`, then
   * each row attends to the tokens of `takingPart` at positions <= its own, all of which must have
   * keys in `cache` by then.
   */
  layer(l: number, rows: readonly LayerRow[], cache: ReferenceKvCache, takingPart: readonly number[]): ReferenceLayerResult {
    const w = this.layers[l];
    const { rmsEpsilon } = this.config;
    const normed = rows.map((r) => rmsNorm(r.hidden, w.attnNorm, rmsEpsilon));
    rows.forEach((r, i) => {
      if (cache.keys.has(r.position)) throw new Error(`reference: position ${r.position} already has KV at layer ${l}`);
      cache.keys.set(r.position, this.rotate(matVec(w.k, normed[i]), r.position));
      cache.values.set(r.position, matVec(w.v, normed[i]));
    });
    const visible = [...takingPart].sort((a, b) => a - b);
    let lastAttention = new Map<number, number>();
    const hidden = rows.map((r, i) => {
      const query = this.rotate(matVec(w.q, normed[i]), r.position);
      const keyPositions = visible.filter((p) => p <= r.position);
      const { output, meanProbabilities } = this.attend(query, keyPositions, cache, l);
      lastAttention = meanProbabilities;
      const x = add(r.hidden, matVec(w.o, output));
      return add(x, this.mlp(w, rmsNorm(x, w.ffnNorm, rmsEpsilon)));
    });
    return { hidden, lastAttention };
  }

  logits(hidden: Float64Array): Float64Array {
    return matVec(this.output, rmsNorm(hidden, this.outputNorm, this.config.rmsEpsilon));
  }

  /** RoPE, llama.cpp "normal" mode: pairs (x[2i], x[2i+1]) of each head turn by position * theta^(-2i/d). */
  private rotate(x: Float64Array, position: number): Float64Array {
    const d = this.config.headDim;
    const out = new Float64Array(x.length);
    for (let head = 0; head < x.length / d; head++) {
      for (let i = 0; i < d / 2; i++) {
        const angle = position * this.config.ropeTheta ** ((-2 * i) / d);
        const a = x[head * d + 2 * i];
        const b = x[head * d + 2 * i + 1];
        out[head * d + 2 * i] = a * cos(angle) - b * sin(angle);
        out[head * d + 2 * i + 1] = a * sin(angle) + b * cos(angle);
      }
    }
    return out;
  }

  /** Causal grouped-query attention of one query over the given key positions. */
  private attend(query: Float64Array, keyPositions: readonly number[], cache: ReferenceKvCache, l: number) {
    const { headCount, kvHeadCount, headDim: d } = this.config;
    const group = headCount / kvHeadCount;
    const keys = keyPositions.map((p) => cache.keys.get(p));
    const values = keyPositions.map((p) => cache.values.get(p));
    keyPositions.forEach((p, j) => {
      if (!keys[j] || !values[j]) throw new Error(`reference: position ${p} takes part at layer ${l} but has no KV there`);
    });
    const output = new Float64Array(headCount * d);
    const meanProbabilities = new Map<number, number>(keyPositions.map((p) => [p, 0]));
    for (let h = 0; h < headCount; h++) {
      // Query heads are grouped consecutively onto KV heads, as in llama.cpp.
      const kvOffset = Math.floor(h / group) * d;
      const scores = keys.map((k) => {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += query[h * d + i] * k![kvOffset + i];
        return dot / sqrt(d);
      });
      const top = max(...scores);
      const exps = scores.map((s) => exp(s - top));
      const total = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, j) => {
        const p = e / total;
        meanProbabilities.set(keyPositions[j], meanProbabilities.get(keyPositions[j])! + p / headCount);
        for (let i = 0; i < d; i++) output[h * d + i] += p * values[j]![kvOffset + i];
      });
    }
    return { output, meanProbabilities };
  }

  /** SwiGLU: down(silu(gate x) * up x). */
  private mlp(w: ReferenceLayerWeights, x: Float64Array): Float64Array {
    const gate = matVec(w.gate, x);
    const up = matVec(w.up, x);
    const act = gate.map((g, i) => (g / (1 + exp(-g))) * up[i]);
    return matVec(w.down, act);
  }
}

export interface DenseAppendResult {
  /** Logits of every appended token. */
  readonly logits: Float64Array[];
  /** Per layer, the last appended token's head-averaged attention probabilities by key position. */
  readonly lastAttention: Map<number, number>[];
}

/** Normal (no pruning) inference with a KV cache: every token at every layer, at consecutive positions. */
export class ReferenceDenseRun {
  readonly tokens: number[] = [];
  private readonly caches: ReferenceKvCache[];

  constructor(private readonly model: ReferenceLlama) {
    this.caches = Array.from({ length: model.config.layerCount }, () => new ReferenceKvCache());
  }

  append(tokens: readonly number[]): DenseAppendResult {
    const first = this.tokens.length;
    this.tokens.push(...tokens);
    const everyone = this.tokens.map((_, p) => p);
    let rows: LayerRow[] = tokens.map((t, i) => ({ position: first + i, hidden: this.model.embed(t) }));
    const lastAttention: Map<number, number>[] = [];
    this.caches.forEach((cache, l) => {
      const out = this.model.layer(l, rows, cache, everyone);
      rows = rows.map((r, i) => ({ position: r.position, hidden: out.hidden[i] }));
      lastAttention.push(out.lastAttention);
    });
    return { logits: rows.map((r) => this.model.logits(r.hidden)), lastAttention };
  }
}

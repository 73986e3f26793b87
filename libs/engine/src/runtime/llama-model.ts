import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { InferenceSession } from 'onnxruntime-node';
import { dequantize } from '../gguf/dequantize';
import { GgufFile, readGguf } from '../gguf/gguf-reader';
import { buildDecoderLayerGraph, LAYER_IO } from '../graph/decoder-layer-graph';
import { rotaryTables } from '../graph/layers/rotary';
import { buildOutputHeadGraph, HEAD_IO } from '../graph/output-head-graph';
import { LlamaConfig, llamaConfigFromGguf } from '../model/llama-config';
import { layerWeights, matrixWeight, vectorWeight } from '../model/llama-weights';
import { resolveModelPath } from '../model/model-path';
import { createSession, floatData, floatTensor, int64Tensor, SessionOptions } from './layer-session';

export interface LoadOptions extends SessionOptions {
  /** GGUF path; MODEL_PATH or the default model otherwise. */
  readonly modelPath?: string;
}

/** What one decoder layer is asked to compute: n tokens against m cached key/value rows. */
export interface LayerInput {
  /** [n, E] hidden states at the layer's input. */
  readonly hidden: Float32Array;
  readonly positions: ArrayLike<number>;
  /** [m, kvH*D] cached keys/values (may be longer than m rows; only m are used). */
  readonly pastKey: Float32Array;
  readonly pastValue: Float32Array;
  readonly pastRows: number;
  /** [n, m+n] additive mask. */
  readonly bias: Float32Array;
}

export interface LayerOutput {
  readonly hidden: Float32Array;
  readonly key: Float32Array;
  readonly value: Float32Array;
  /** [m+n] last query's head-averaged attention probabilities. */
  readonly importance: Float32Array;
}

/**
 * From this many rows on, a prefill runs the float-activation variant: measured here, MatMulNBits with
 * fp32 activations overtakes the int8 path at a few hundred rows (15.6 vs 22.3 ms for 2048x576x1536)
 * while the int8 path is ~20x faster for a single row.
 */
export const WIDE_ROWS = 256;

/** Query bands of the prefill variant's attention; see prefixBandedAttention. */
const PREFILL_BANDS = 4;

/** Two variants per layer; each holds its own copy of the weights, so there is no third. */
interface LayerSessions {
  /** int8 activations, grouped attention over cached rows: decode steps and anything else. */
  readonly step: InferenceSession;
  /** float activations, causal bands: many rows in position order with no cached rows (a prefill). */
  readonly prefill: InferenceSession;
}

/** A loaded Llama-family model: onnxruntime sessions per decoder layer plus the output head. */
export class LlamaModel {
  private constructor(
    readonly path: string,
    readonly config: LlamaConfig,
    /** sha256 of the GGUF file: the model identity written into generation states. */
    readonly identity: string,
    private readonly gguf: GgufFile,
    private readonly layers: LayerSessions[],
    private readonly head: InferenceSession,
  ) {}

  static async load(opts: LoadOptions = {}): Promise<LlamaModel> {
    const path = resolveModelPath(opts.modelPath);
    const gguf = readGguf(path);
    const config = llamaConfigFromGguf(gguf);
    const identity = createHash('sha256').update(readFileSync(path)).digest('hex');
    const rope = rotaryTables(config.contextLength, config.headDim, config.ropeTheta);
    const layers: LayerSessions[] = [];
    for (let l = 0; l < config.layerCount; l++) {
      const weights = layerWeights(gguf, config, l);
      layers.push({
        step: await createSession(buildDecoderLayerGraph(config, weights, rope, l, 'int8', { kind: 'grouped' }), { ...opts, spinning: false }),
        prefill: await createSession(buildDecoderLayerGraph(config, weights, rope, l, 'float', { kind: 'prefix-banded', bands: PREFILL_BANDS }), opts),
      });
    }
    const outputName = config.tiedEmbeddings ? 'token_embd.weight' : 'output.weight';
    const head = await createSession(
      buildOutputHeadGraph(config, vectorWeight(gguf, 'output_norm.weight', config.hiddenSize), matrixWeight(gguf, outputName, config.hiddenSize, config.vocabSize), 'int8'),
      { ...opts, spinning: false },
    );
    return new LlamaModel(path, config, identity, gguf, layers, head);
  }

  /** Token embeddings, [n, E]. */
  embed(tokens: ArrayLike<number>): Float32Array {
    const e = this.config.hiddenSize;
    const table = this.gguf.tensors.get('token_embd.weight')!;
    const bytes = this.gguf.tensorData('token_embd.weight');
    const out = new Float32Array(tokens.length * e);
    for (let i = 0; i < tokens.length; i++) {
      const id = tokens[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) throw new Error(`token id ${id} is outside the vocabulary (0..${this.config.vocabSize - 1})`);
      dequantize(table.type, bytes, e, id * e, out.subarray(i * e, (i + 1) * e));
    }
    return out;
  }

  async runLayer(layer: number, input: LayerInput): Promise<LayerOutput> {
    const c = this.config;
    const n = input.positions.length;
    const kvWidth = c.kvHeadCount * c.headDim;
    const sessions = this.layers[layer];
    const prefill = input.pastRows === 0 && n >= WIDE_ROWS && ascending(input.positions);
    // The step variant reads cached rows in place and needs at least one (an empty MatMul operand
    // makes onnxruntime's CPU kernels divide by zero): without any, it gets a zero row masked out.
    const blank = !prefill && input.pastRows === 0;
    const m = blank ? 1 : input.pastRows;
    const pastKey = blank ? new Float32Array(kvWidth) : input.pastKey.subarray(0, m * kvWidth);
    const pastValue = blank ? pastKey : input.pastValue.subarray(0, m * kvWidth);
    const out = await (prefill ? sessions.prefill : sessions.step).run({
      [LAYER_IO.hidden]: floatTensor(input.hidden, [1, n, c.hiddenSize]),
      [LAYER_IO.positions]: int64Tensor(input.positions, [1, n]),
      [LAYER_IO.pastKey]: floatTensor(pastKey, [1, m, kvWidth]),
      [LAYER_IO.pastValue]: floatTensor(pastValue, [1, m, kvWidth]),
      [LAYER_IO.bias]: floatTensor(blank ? withMaskedColumn(input.bias, n) : input.bias, [1, 1, n, m + n]),
    });
    const importance = floatData(out[LAYER_IO.importance], LAYER_IO.importance);
    return {
      hidden: floatData(out[LAYER_IO.hiddenOut], LAYER_IO.hiddenOut),
      key: floatData(out[LAYER_IO.newKey], LAYER_IO.newKey),
      value: floatData(out[LAYER_IO.newValue], LAYER_IO.newValue),
      importance: blank ? importance.subarray(1) : importance,
    };
  }

  /** Logits [n, V] for n final hidden states [n, E]. */
  async logits(hidden: Float32Array): Promise<Float32Array> {
    const n = hidden.length / this.config.hiddenSize;
    const out = await this.head.run({ [HEAD_IO.hidden]: floatTensor(hidden, [1, n, this.config.hiddenSize]) });
    return floatData(out[HEAD_IO.logits], HEAD_IO.logits);
  }

  async release(): Promise<void> {
    await Promise.all([...this.layers.flatMap((l) => [l.step, l.prefill]), this.head].map((s) => s.release()));
  }
}

/** [n, 1+n]: a leading column that no query may see, then `bias` ([n, n]). */
function withMaskedColumn(bias: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * (n + 1));
  for (let i = 0; i < n; i++) {
    out[i * (n + 1)] = -Infinity;
    out.set(bias.subarray(i * n, (i + 1) * n), i * (n + 1) + 1);
  }
  return out;
}

function ascending(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] <= values[i - 1]) return false;
  return true;
}

import { onnx } from 'onnx-proto';

/** A symbolic or fixed dimension of a graph input/output. */
export type Dim = number | string;

export type AttributeValue = { i: number } | { f: number } | { ints: number[] } | { s: string };
export const int = (i: number): AttributeValue => ({ i });
export const float = (f: number): AttributeValue => ({ f });
export const ints = (v: number[]): AttributeValue => ({ ints: v });

export const MS_DOMAIN = 'com.microsoft';
const OPSET = 17;
const IR_VERSION = 8;

const ELEM = onnx.TensorProto.DataType;
export type ElemType = 'float32' | 'int64' | 'int32' | 'uint8';
const ELEM_OF: Record<ElemType, number> = { float32: ELEM.FLOAT, int64: ELEM.INT64, int32: ELEM.INT32, uint8: ELEM.UINT8 };

/** Minimal ONNX graph builder: named values, nodes with fresh output names, raw-data initializers. */
export class OnnxGraph {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Mark an existing value as a graph output under `name` (an Identity keeps node outputs uniquely named). */
  output(value: string, name: string, type: ElemType, dims: Dim[]): void {
    this.op('Identity', [value], {}, { outputs: [name] });
    this.outputs.push(valueInfo(name, type, dims));
  }

  initializer(name: string, type: ElemType, dims: number[], data: ArrayBufferView): string {
    this.initializers.push({
      name,
      dataType: ELEM_OF[type],
      dims,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  constInt64(name: string, values: number[]): string {
    return this.initializer(this.fresh(name), 'int64', [values.length], new BigInt64Array(values.map(BigInt)));
  }

  constFloat(name: string, value: number): string {
    return this.initializer(this.fresh(name), 'float32', [], new Float32Array([value]));
  }

  /** Add a node; returns its first output (use `opMulti` for several). */
  op(type: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, opts: { domain?: string; outputs?: string[] } = {}): string {
    return this.opMulti(type, inputs, attrs, { ...opts, count: opts.outputs?.length ?? 1 })[0];
  }

  opMulti(type: string, inputs: string[], attrs: Record<string, AttributeValue>, opts: { domain?: string; outputs?: string[]; count: number }): string[] {
    const outputs = opts.outputs ?? Array.from({ length: opts.count }, (_, i) => this.fresh(`${type}_out${i}`));
    this.nodes.push({
      name: this.fresh(type),
      opType: type,
      domain: opts.domain ?? '',
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
    });
    return outputs;
  }

  fresh(base: string): string {
    return `${base}_${this.counter++}`;
  }

  toBytes(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'lazyllm-engine',
      opsetImport: [
        { domain: '', version: OPSET },
        { domain: MS_DOMAIN, version: 1 },
      ],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: ElemType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM_OF[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in v) return { name, type: T.INT, i: v.i };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  if ('ints' in v) return { name, type: T.INTS, ints: v.ints };
  return { name, type: T.STRING, s: new TextEncoder().encode(v.s) };
}

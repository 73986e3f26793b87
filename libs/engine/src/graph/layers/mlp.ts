import { LinearWeight } from '../../model/linear-weights';
import { OnnxGraph } from '../onnx-graph';
import { linear, MatMulMode } from './linear';

/** SwiGLU: down(silu(gate(x)) * up(x)). */
export function swiGluMlp(g: OnnxGraph, x: string, w: { gate: LinearWeight; up: LinearWeight; down: LinearWeight }, name: string, mode: MatMulMode): string {
  const gate = linear(g, x, w.gate, `${name}.gate`, mode);
  const up = linear(g, x, w.up, `${name}.up`, mode);
  const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate])]);
  return linear(g, g.op('Mul', [silu, up]), w.down, `${name}.down`, mode);
}

import { LinearWeight } from '../../model/linear-weights';
import { OnnxGraph } from '../onnx-graph';
import { linear, linears, MatMulMode } from './linear';

/** SwiGLU: down(silu(gate(x)) * up(x)). */
export function swiGluMlp(g: OnnxGraph, x: string, w: { gate: LinearWeight; up: LinearWeight; down: LinearWeight }, name: string, mode: MatMulMode): string {
  const [gate, up] = linears(g, x, [w.gate, w.up], `${name}.gate_up`, mode);
  const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate])]);
  return linear(g, g.op('Mul', [silu, up]), w.down, `${name}.down`, mode);
}

import { AuxCache } from './aux-cache';

describe('AuxCache', () => {
  it('hands a parked hidden state back once, at the depth where the token stopped', () => {
    const aux = new AuxCache();
    const hidden = Float32Array.from([1, 2]);
    aux.set(5, 2, hidden);
    aux.set(1, 3, Float32Array.from([3, 4]));
    expect(aux.sorted().map(([t, e]) => [t, e.depth])).toEqual([[1, 3], [5, 2]]);
    expect(() => aux.take(5, 1)).toThrow('token 5 has no Aux Cache entry at depth 1 (found depth 2)');
    expect(aux.take(5, 2)).toBe(hidden);
    expect(aux.size).toBe(1);
    expect(() => aux.take(5, 2)).toThrow('token 5 has no Aux Cache entry at depth 2 (found none)');
  });

  it('moves an entry when the token stops again deeper', () => {
    const aux = new AuxCache();
    aux.set(7, 1, new Float32Array(2));
    aux.set(7, 3, Float32Array.from([9, 9]));
    expect(aux.get(7)).toEqual({ depth: 3, hidden: Float32Array.from([9, 9]) });
    expect(aux.size).toBe(1);
  });
});

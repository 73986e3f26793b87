import { containsGoldAnswer, normalizeAnswer } from './answer-match';

describe('normalizeAnswer', () => {
  it('lower-cases, removes punctuation and articles, collapses whitespace', () => {
    expect(normalizeAnswer('  The Beatles!  ')).toBe('beatles');
    expect(normalizeAnswer('An apple, a day.')).toBe('apple day');
    expect(normalizeAnswer("St. John's\tWood")).toBe('st johns wood');
    expect(normalizeAnswer('theatre anthem')).toBe('theatre anthem');
    expect(normalizeAnswer('1,000')).toBe('1000');
  });
});

describe('containsGoldAnswer', () => {
  it('counts an output correct when any normalized gold answer occurs in it', () => {
    expect(containsGoldAnswer('It was written by the Beatles in 1967.', ['Paul McCartney', 'The Beatles'])).toBe(true);
    expect(containsGoldAnswer('Answer: 1,000 years', ['1000'])).toBe(true);
    expect(containsGoldAnswer('The Rolling Stones', ['The Beatles'])).toBe(false);
    expect(containsGoldAnswer('', ['x'])).toBe(false);
  });

  it('matches inside words, as the source metric does, but never on an answer that normalizes to nothing', () => {
    expect(containsGoldAnswer('in 1990', ['199'])).toBe(true);
    expect(containsGoldAnswer('anything at all', ['The', '...'])).toBe(false);
  });
});

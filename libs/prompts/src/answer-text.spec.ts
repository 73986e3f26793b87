import { readGguf, resolveModelPath, Tokenizer } from '@lazyllm/engine';
import { AnswerText } from './answer-text';

const tokenizer = Tokenizer.fromGguf(readGguf(resolveModelPath()));

function stream(text: string, stop: string[]): { pieces: string[]; stoppedAt: number | undefined; rest: string; answer: AnswerText } {
  const answer = new AnswerText(tokenizer, stop);
  const pieces: string[] = [];
  let stoppedAt: number | undefined;
  tokenizer.encode(text, { addBos: false }).forEach((id, i) => {
    const piece = answer.push(id);
    pieces.push(piece.text);
    if (piece.stopped && stoppedAt === undefined) stoppedAt = i;
  });
  return { pieces, stoppedAt, rest: answer.finish(), answer };
}

describe('AnswerText', () => {
  it('streams exactly the decoded text when there are no stop strings, characters split over tokens included', () => {
    const text = 'Caf\u00e9 na\u00efve \u{1F642} \u65e5\u672c\u8a9e done.';
    const ids = tokenizer.encode(text, { addBos: false });
    const { pieces, rest, stoppedAt } = stream(text, []);
    expect(pieces.join('') + rest).toBe(tokenizer.decode(ids));
    expect(stoppedAt).toBeUndefined();
    // No piece ever shows a broken character.
    expect(pieces.join('')).not.toContain('\ufffd');
  });

  it('cuts the answer before the first stop string and adds nothing after it', () => {
    const { pieces, stoppedAt, rest, answer } = stream('Paris is the capital.\n\nQuestion: and Spain?', ['\n\n', 'Question:']);
    expect(answer.text).toBe('Paris is the capital.');
    expect(pieces.join('')).toBe('Paris is the capital.');
    expect(rest).toBe('');
    expect(stoppedAt).toBeDefined();
    expect(pieces.slice(stoppedAt! + 1).every((p) => p === '')).toBe(true);
  });

  it('holds back text that may begin a stop string, and releases it when it does not', () => {
    const { pieces, rest, answer } = stream('The end is near', [' near and far']);
    // " near" could still become " near and far", so it is not streamed before the answer ends.
    expect(pieces.join('')).toBe('The end is');
    expect(rest).toBe(' near');
    expect(answer.text).toBe('The end is near');
    expect(answer.stopped).toBe(false);
  });

  it('finds a stop string spread over several tokens', () => {
    const { answer, stoppedAt } = stream('alpha beta gamma delta', ['beta gam']);
    expect(answer.text).toBe('alpha ');
    expect(stoppedAt).toBeGreaterThan(1);
  });
});

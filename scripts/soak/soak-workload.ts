import type { JobInput } from '@lazyllm/contracts';
import { ChatTemplate, readGguf, Tokenizer } from '@lazyllm/engine';
import { promptTokens } from '@lazyllm/prompts';

/** One distinct request of the soak; many jobs send the same one, so each has a fault-free reference answer. */
export interface SoakRequest {
  readonly key: string;
  readonly kind: 'short' | 'document-qa';
  readonly body: Record<string, unknown>;
  readonly promptTokens: number;
}

const QUESTIONS = [
  'What is the capital of France?', 'Name three primary colours.', 'What is 12 times 12?', 'Who wrote Romeo and Juliet?',
  'What is the boiling point of water in Celsius?', 'Give a synonym for happy.', 'What planet is known as the red planet?',
  'How many days are in a leap year?', 'What is the largest ocean on Earth?', 'Translate "thank you" into Spanish.',
  'What gas do plants absorb from the air?', 'What is the square root of 81?', 'Name a mammal that can fly.',
  'What language is spoken in Brazil?', 'How many continents are there?', 'What is the chemical symbol for gold?',
  'Who painted the Mona Lisa?', 'What is the freezing point of water in Fahrenheit?', 'Name the longest river in Africa.',
  'What is the opposite of ancient?', 'How many legs does a spider have?', 'What is the tallest mountain in the world?',
  'What do bees make?', 'What is the currency of Japan?',
];

const CITIES = ['Arden', 'Belmont', 'Calder', 'Dunmore', 'Elston', 'Fairview', 'Glenrock', 'Hartwell', 'Ivybridge', 'Jasper', 'Kingsley', 'Linwood'];

/** Weather reports for `stations` stations: long, repetitive in form, each fact stated once. */
function reports(seed: number, stations: number): { title: string; text: string }[] {
  return Array.from({ length: stations }, (_, i) => {
    const city = CITIES[(i + seed) % CITIES.length];
    const lines = Array.from({ length: 6 }, (_, m) => `In month ${m + 1} the station at ${city} ${i + 1} measured ${(seed * 7 + i * 3 + m * 5) % 90 + 10} millimetres of rain and a mean temperature of ${(seed + i + m * 2) % 25 + 3} degrees.`);
    return { title: `${city} station ${i + 1}`, text: lines.join(' ') };
  });
}

/**
 * The distinct requests: short chat questions, and document QA over weather reports grown until the
 * prompt has about `documentTokens` tokens (counted with the model's tokenizer and template).
 */
export function soakRequests(modelPath: string, documentRequests: number, documentTokens: number): SoakRequest[] {
  const gguf = readGguf(modelPath);
  const tokenizer = Tokenizer.fromGguf(gguf);
  const template = ChatTemplate.fromGguf(gguf);
  const generation = { temperature: 0, schedule: 'default' };
  const short = QUESTIONS.map((question, i): SoakRequest => {
    const input: JobInput = { kind: 'prompt', prompt: question, chat: true };
    return { key: `short-${i}`, kind: 'short', body: { prompt: question, chat: true, maxTokens: 24, ...generation }, promptTokens: promptTokens(input, tokenizer, template).length };
  });
  const documents = Array.from({ length: documentRequests }, (_, d): SoakRequest => {
    let stations = 1;
    let count = 0;
    const question = `How much rain did the station at ${CITIES[(d + 2) % CITIES.length]} 3 measure in month 4?`;
    for (;;) {
      const next = reports(d, stations + 1);
      const nextCount = promptTokens({ kind: 'document-qa', documents: next, question }, tokenizer, template).length;
      if (nextCount > documentTokens) break;
      stations++;
      count = nextCount;
    }
    return { key: `document-${d}`, kind: 'document-qa', body: { documents: reports(d, stations), question, maxTokens: 16, ...generation }, promptTokens: count };
  });
  return [...short, ...documents];
}

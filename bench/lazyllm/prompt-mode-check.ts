/**
 * Which prompt mode makes the model answer better: the same questions without pruning, as the chat
 * template's user turn and as raw text continued after "Answer:". The bench uses the winner.
 *
 *   npx tsx bench/lazyllm/prompt-mode-check.ts [--documents 5] [--questions 20]
 */
import { parseArgs } from 'node:util';
import { containsGoldAnswer, nqOpenRecords } from '../../libs/datasets/src';
import { ChatTemplate, LlamaModel, NO_PRUNING, readGguf, Tokenizer } from '../../libs/engine/src';
import { formatTable } from '../lib/table';
import { runAnswer } from './answer-run';
import { PromptMode, qaPrompt } from './qa-prompts';

const MODES: readonly PromptMode[] = ['chat', 'completion'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { documents: { type: 'string', default: '5' }, questions: { type: 'string', default: '20' } } });
  const documents = Number(values.documents);
  const questions = Number(values.questions);
  const model = await LlamaModel.load({ threads: 2 });
  const gguf = readGguf(model.path);
  const tokenizer = Tokenizer.fromGguf(gguf);
  const template = ChatTemplate.fromGguf(gguf);
  const records = nqOpenRecords();
  const tally = new Map(MODES.map((m) => [m, { correct: 0, empty: 0 }]));
  for (let k = 0; k < questions; k++) {
    // Spread over the file rather than its first few questions.
    const q = (k * 97) % records.length;
    for (const mode of MODES) {
      const prompt = qaPrompt(records, q, documents, 0, mode, tokenizer, template);
      const run = await runAnswer(model, tokenizer, prompt.tokens, NO_PRUNING);
      const t = tally.get(mode)!;
      if (containsGoldAnswer(run.answer, prompt.example.answers)) t.correct++;
      if (run.answer === '') t.empty++;
      process.stderr.write(`#${q} ${mode}: ${JSON.stringify(run.answer.slice(0, 70))} (gold ${JSON.stringify(prompt.example.answers)})\n`);
    }
  }
  await model.release();
  console.log(`${questions} questions, ${documents} documents, no pruning, greedy`);
  console.log(formatTable(['mode', 'correct', 'empty answers'], MODES.map((m) => [m, `${tally.get(m)!.correct}/${questions}`, `${tally.get(m)!.empty}/${questions}`])));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

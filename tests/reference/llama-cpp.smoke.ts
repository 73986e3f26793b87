/**
 * Smoke test for the llama.cpp reference (not a jest test):
 *   npx tsx tests/reference/llama-cpp.smoke.ts [--threads N] [--tokens N] [--no-full-logits] [--flash-attention auto|true|false]
 *
 * Exercises every op of LlamaCppReference on a short text, then measures on ~2,000 tokens of real text
 * (ctxs[0].text of the first NQ-open dev questions, joined with "\n\n"):
 *   - teacher-forced perplexity + time (fast path, and the exact float64 full-logits path),
 *   - ttft / decode speed of a ~2,000-token prompt.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { LlamaCppReference } from './llama-cpp';

const ROOT = path.resolve(__dirname, '..', '..');
const MODEL = path.join(ROOT, 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const NQ_DEV = '/work/shared/data/nq-open/dev.jsonl.gz';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

function nqPassages(maxPassages: number): string[] {
  const lines = zlib.gunzipSync(fs.readFileSync(NQ_DEV)).toString('utf8').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (out.length >= maxPassages) break;
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { ctxs?: { text?: string }[] };
    const text = rec.ctxs?.[0]?.text;
    if (typeof text === 'string') out.push(text);
  }
  return out;
}

function perplexity(logprobs: number[]): number {
  const mean = logprobs.reduce((a, b) => a + b, 0) / logprobs.length;
  return Math.exp(-mean);
}

function fmt(n: number, d = 1): string {
  return n.toFixed(d);
}

async function main(): Promise<void> {
  const threads = argValue('--threads', 2);
  const targetTokens = argValue('--tokens', 2000);
  const withFull = !process.argv.includes('--no-full-logits');
  const faIdx = process.argv.indexOf('--flash-attention');
  const faArg = faIdx >= 0 ? process.argv[faIdx + 1] : 'auto';
  const flashAttention = faArg === 'true' ? true : faArg === 'false' ? false : 'auto';
  const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
  console.log(`load average before start: ${load()} (timings are only meaningful on an otherwise idle machine)`);

  let t = Date.now();
  const ref = await LlamaCppReference.start({ modelPath: MODEL, threads, flashAttention, forwardStderr: true });
  console.log(`started worker pid=${ref.pid} in ${Date.now() - t} ms`);
  try {
    // ---- info
    const info = await ref.info();
    console.log('info:', JSON.stringify(info));

    // ---- tokenize / detokenize
    const text = 'The capital of France is Paris. The capital of Germany is';
    const { tokens } = await ref.tokenize(text);
    console.log(`tokenize(${JSON.stringify(text)}) -> [${tokens.join(', ')}]`);
    const { text: round } = await ref.detokenize(tokens);
    console.log(`detokenize -> ${JSON.stringify(round)}  roundtrip=${round === text}`);
    const special = await ref.tokenize('<|im_start|>user\nHi<|im_end|>', true);
    const plain = await ref.tokenize('<|im_start|>user\nHi<|im_end|>', false);
    console.log(`special-token parsing: specialTokens=true -> [${special.tokens.join(', ')}], false -> ${plain.tokens.length} tokens`);
    console.log(`detokenize(special, specialTokens=true) -> ${JSON.stringify((await ref.detokenize(special.tokens, true)).text)}`);

    // ---- teacherForced (fast and exact paths)
    const tf = await ref.teacherForced(tokens);
    const tfFull = await ref.teacherForced(tokens, { fullLogits: true });
    console.log('teacherForced (short):');
    for (let i = 0; i < tf.top1.length; i++) {
      const dec = (await ref.detokenize([tf.top1[i]])).text;
      console.log(
        `  pos ${String(i).padStart(2)}: next=${String(tokens[i + 1]).padStart(5)} top1=${String(tf.top1[i]).padStart(5)} ` +
          `${JSON.stringify(dec).padEnd(12)} logprob=${tf.logprobs[i].toFixed(5)} exact=${tfFull.logprobs[i].toFixed(5)}`,
      );
    }
    const maxDiff = Math.max(...tf.logprobs.map((v, i) => Math.abs(v - tfFull.logprobs[i])));
    console.log(`  max |fast - exact| logprob = ${maxDiff.toExponential(2)}; top1 identical: ${tf.top1.every((v, i) => v === tfFull.top1[i])}`);

    // ---- greedy: plain continuation and chat template with <|im_end|> stop
    const g = await ref.greedy(tokens, { maxTokens: 16 });
    console.log(`greedy(plain, 16): ${JSON.stringify((await ref.detokenize(g.tokens)).text)} ids=[${g.tokens.join(',')}] ` +
      `ttft=${fmt(g.ttftMs)}ms decode=${fmt(g.decodeMs)}ms stop=${g.stopReason}`);
    const chat = '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' +
      '<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n';
    const chatTokens = (await ref.tokenize(chat, true)).tokens;
    const imEnd = (await ref.tokenize('<|im_end|>', true)).tokens;
    const gc = await ref.greedy(chatTokens, { maxTokens: 64, stopTokens: imEnd });
    console.log(`greedy(chat, 64): ${JSON.stringify((await ref.detokenize(gc.tokens)).text)} n=${gc.tokens.length} ` +
      `ttft=${fmt(gc.ttftMs)}ms decode=${fmt(gc.decodeMs)}ms stop=${gc.stopReason} stopToken=${gc.stopToken}`);
    const gc2 = await ref.greedy(chatTokens, { maxTokens: 64, stopTokens: imEnd });
    console.log(`greedy deterministic & independent across requests: ${JSON.stringify(gc2.tokens) === JSON.stringify(gc.tokens)}`);

    // ---- timePrefill (short)
    const tp = await ref.timePrefill(tokens, 16);
    console.log(`timePrefill(short, 16): ${JSON.stringify(tp)}`);

    // ---- ~2,000 tokens of NQ passages
    const passages = nqPassages(60);
    const { tokens: allTokens } = await ref.tokenize(passages.join('\n\n'));
    if (allTokens.length < targetTokens) throw new Error(`only ${allTokens.length} tokens in the NQ text`);
    const long = allTokens.slice(0, targetTokens);
    console.log(`\nNQ text: ${passages.length} passages -> ${allTokens.length} tokens, using the first ${long.length}`);

    t = Date.now();
    const lf = await ref.teacherForced(long);
    const lfMs = Date.now() - t;
    console.log(
      `teacherForced fast  : ${long.length} tokens (${lf.logprobs.length} predictions) in ${lfMs} ms ` +
        `(worker eval ${fmt(lf.evalMs)} ms) -> perplexity ${perplexity(lf.logprobs).toFixed(4)}, ` +
        `top1 accuracy ${fmt((100 * lf.top1.filter((v, i) => v === long[i + 1]).length) / lf.top1.length, 2)}%`,
    );
    if (withFull) {
      t = Date.now();
      const lx = await ref.teacherForced(long, { fullLogits: true });
      const lxMs = Date.now() - t;
      const d = Math.max(...lf.logprobs.map((v, i) => Math.abs(v - lx.logprobs[i])));
      const top1Agree = lf.top1.filter((v, i) => v === lx.top1[i]).length;
      console.log(
        `teacherForced exact : ${lxMs} ms -> perplexity ${perplexity(lx.logprobs).toFixed(4)}; ` +
          `max |fast-exact| = ${d.toExponential(2)}; top1 agree ${top1Agree}/${lx.top1.length}`,
      );
    }

    console.log(`load average: ${load()}`);
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await ref.timePrefill(long, 32));
    for (const p of runs) {
      console.log(
        `timePrefill(${p.promptTokens} tokens, threads=${info.threads}): ttft=${fmt(p.ttftMs)} ms ` +
          `(${fmt(p.prefillTokensPerSec)} tok/s prefill), decode ${p.decodeTokens} tokens at ${fmt(p.decodeTokensPerSec ?? 0)} tok/s`,
      );
    }
    const ttfts = runs.map((p) => p.ttftMs).sort((a, b) => a - b);
    console.log(`ttft over ${runs.length} runs: min ${fmt(ttfts[0])} ms, median ${fmt(ttfts[1])} ms`);
    const gl = await ref.greedy(long, { maxTokens: 8 });
    console.log(`greedy(${long.length} tokens, 8): ttft=${fmt(gl.ttftMs)} ms, ${JSON.stringify((await ref.detokenize(gl.tokens)).text)}`);

    console.log(`load average: ${load()}`);

    // ---- error handling
    try {
      await ref.teacherForced([1]);
      console.log('ERROR: expected a rejection');
    } catch (err) {
      console.log(`error response rejects as expected: ${(err as Error).message}`);
    }
    console.log('still alive after error:', (await ref.tokenize('ok')).tokens);
  } finally {
    t = Date.now();
    await ref.close();
    console.log(`closed in ${Date.now() - t} ms`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

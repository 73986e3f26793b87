import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { procMemoryBytes } from '../lib/proc-memory';
import { formatGb } from '../lib/units';
import { attempt, Outcome } from './outcome';
import type { OurEngineJob, OurEngineResult } from './our-engine-job';
import { BenchPlan, decodeStepsFor, EngineFigures, promptOf } from './plan';
import type { PrefillRun } from './prefill-run';

const CHILD_SCRIPT = resolve(__dirname, 'our-engine-child.ts');
/** How often the child's RSS is checked against the cap; growth between checks is bounded by prefill speed. */
const RSS_POLL_MS = 200;

/** Our engine on the plan: one child process per prompt length, then one fresh child for peak RSS. */
export async function measureOurEngine(plan: BenchPlan, log: (line: string) => void): Promise<EngineFigures> {
  const job = (tokens: number[], decodeSteps: number, repetitions = plan.repetitions): OurEngineJob => ({
    modelPath: plan.modelPath,
    threads: plan.threads,
    tokens,
    decodeSteps,
    repetitions,
  });
  const series = new Map<number, Outcome<PrefillRun[]>>();
  for (const [promptTokens, tokens] of plan.prompts) {
    log(`ours: ${promptTokens}-token prompt`);
    series.set(promptTokens, await attempt(async () => (await runChild(job(tokens, decodeStepsFor(plan, promptTokens)), plan.rssCapBytes)).runs));
  }
  log(`ours: peak RSS, ${plan.peakRssPromptTokens}-token prompt`);
  const rssJob = job(promptOf(plan, plan.peakRssPromptTokens), plan.peakRssDecodeSteps, { warmups: 0, repeats: 1 });
  const peakRssBytes = await attempt(async () => (await runChild(rssJob, plan.rssCapBytes)).maxRssBytes);
  return { series, peakRssBytes };
}

function runChild(job: OurEngineJob, rssCapBytes: number): Promise<OurEngineResult> {
  return new Promise((resolvePromise, reject) => {
    // The same Node flags as ours: whatever TypeScript loader runs the benchmark (tsx) also runs the child.
    const child = spawn(process.execPath, [...process.execArgv, CHILD_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    let killedAtRss: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const watchdog = setInterval(() => {
      const rss = child.pid === undefined ? undefined : procMemoryBytes(child.pid, 'VmRSS');
      if (rss !== undefined && rss > rssCapBytes && killedAtRss === undefined) {
        killedAtRss = rss;
        child.kill('SIGKILL');
      }
    }, RSS_POLL_MS);
    child.on('error', (err) => {
      clearInterval(watchdog);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearInterval(watchdog);
      if (killedAtRss !== undefined) {
        reject(new Error(`killed at ${formatGb(killedAtRss)} GB RSS, over the ${formatGb(rssCapBytes)} GB cap (--rss-cap-gb)`));
      } else if (code !== 0) {
        // Without swap, the kernel's OOM killer is what sends an unexplained SIGKILL.
        reject(new Error(`our engine's process ended with ${signal ?? `exit code ${code}`}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}`));
      } else {
        resolvePromise(JSON.parse(stdout.trim().split('\n').pop() ?? '') as OurEngineResult);
      }
    });
    child.stdin.end(JSON.stringify(job));
  });
}

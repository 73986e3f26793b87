/**
 * Client for the llama.cpp reference worker (tests/reference/llama-cpp-worker.mjs).
 *
 * node-llama-cpp is ESM-only with top-level await, so it cannot be loaded from CommonJS / ts-jest.
 * Instead the worker runs in a child Node process and we talk newline-delimited JSON over stdio.
 * Only Node's standard library is used here.
 *
 * Usage:
 *   const ref = await LlamaCppReference.start({ modelPath, threads: 2 });
 *   try {
 *     const { tokens } = await ref.tokenize('Hello');
 *     const { top1, logprobs } = await ref.teacherForced(tokens);
 *   } finally {
 *     await ref.close();
 *   }
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';

export interface LlamaCppReferenceOptions {
  /** Path to the GGUF model. */
  modelPath: string;
  /** CPU threads used by llama.cpp (prefill and decode). Default 2. */
  threads?: number;
  /** Context size in tokens. Default 8192. */
  contextSize?: number;
  /** llama.cpp batch size (node-llama-cpp also sets n_ubatch = n_batch). Default = contextSize. */
  batchSize?: number;
  /** Flash attention. Default 'auto' (llama.cpp decides; on CPU it is normally enabled). */
  flashAttention?: boolean | 'auto';
  /** Max time to wait for the model to load. Default 120 s. */
  startupTimeoutMs?: number;
  /** Forward the worker's stderr to this process' stderr. Default true. */
  forwardStderr?: boolean;
  /** Extra environment variables for the worker process. */
  env?: NodeJS.ProcessEnv;
}

export interface LlamaCppInfo {
  modelPath: string;
  architecture: string | null;
  /** Threads the context currently uses. */
  threads: number;
  idealThreads: number;
  requestedThreads: number;
  contextSize: number;
  batchSize: number;
  flashAttention: boolean | 'auto';
  nLayers: number | null;
  vocabSize: number;
  trainContextSize: number;
  bos: number | null;
  eos: number | null;
  eot: number | null;
  shouldPrependBosToken: boolean;
  llamaCppRelease: string | null;
  nodeLlamaCppBuildType: string | null;
  pid: number;
}

export interface TeacherForcedResult {
  /** top1[i] = argmax of the logits after consuming tokens[0..i] (length n-1). */
  top1: number[];
  /** logprobs[i] = ln softmax(logits after tokens[0..i])[tokens[i+1]] over the full vocabulary (length n-1). */
  logprobs: number[];
  /** Wall time of the llama.cpp evaluation + logit extraction, in ms. */
  evalMs: number;
}

export interface TeacherForcedOptions {
  /**
   * false (default): the log-softmax normalizer is llama.cpp-side sum(exp(l - max)) over the full vocabulary
   *   accumulated in float32 (error ~1e-4 nats); fast (~1 ms/position of overhead).
   * true: every position's full logit vector is transferred and the log-softmax is computed in float64;
   *   exact but ~15-20 ms/position slower.
   */
  fullLogits?: boolean;
}

export interface GreedyOptions {
  /** Max tokens to generate. Default 256. */
  maxTokens?: number;
  /** Extra stop token ids (EOS is always a stop token). */
  stopTokens?: number[];
}

export interface GreedyResult {
  /** Generated token ids, excluding the stop token. */
  tokens: number[];
  /** From the start of prompt evaluation until the first generated token is known (ms). */
  ttftMs: number;
  /** Time for the remaining tokens (ms). */
  decodeMs: number;
  stopReason: 'stop' | 'maxTokens';
  /** The stop token that ended generation, if any. */
  stopToken: number | null;
}

export interface TimePrefillResult {
  promptTokens: number;
  /** Prompt evaluation + first (greedy) token, in ms. */
  ttftMs: number;
  prefillTokensPerSec: number;
  decodeTokens: number;
  decodeMs: number;
  /** decodeTokens / decode seconds (EOS ignored); null when decodeTokens = 0. */
  decodeTokensPerSec: number | null;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  op: string;
}

const WORKER_PATH = path.resolve(__dirname, 'llama-cpp-worker.mjs');

export class LlamaCppReference {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private exitError: Error | null = null;
  private closing: Promise<void> | null = null;
  private readonly exitPromise: Promise<void>;
  private _info!: LlamaCppInfo;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitError = new Error(
          `llama.cpp reference worker exited (code=${code}, signal=${signal})`,
        );
        for (const [, p] of this.pending) p.reject(new Error(`${this.exitError.message} during "${p.op}"`));
        this.pending.clear();
        resolve();
      });
    });
    child.once('error', (err) => {
      this.exitError = err;
      for (const [, p] of this.pending) p.reject(err);
      this.pending.clear();
    });
  }

  /** Spawn the worker and wait until the model is loaded. */
  static async start(opts: LlamaCppReferenceOptions): Promise<LlamaCppReference> {
    const args = [WORKER_PATH, '--model', path.resolve(opts.modelPath)];
    if (opts.threads != null) args.push('--threads', String(opts.threads));
    if (opts.contextSize != null) args.push('--context-size', String(opts.contextSize));
    if (opts.batchSize != null) args.push('--batch-size', String(opts.batchSize));
    if (opts.flashAttention != null) args.push('--flash-attention', String(opts.flashAttention));

    const forwardStderr = opts.forwardStderr ?? true;
    const child = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    const ref = new LlamaCppReference(child);

    let stderrTail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      if (forwardStderr) process.stderr.write(chunk);
    });

    const timeoutMs = opts.startupTimeoutMs ?? 120_000;
    const ready = new Promise<LlamaCppInfo>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: Error) => {
        if (timer) clearTimeout(timer);
        reject(err);
      };
      ref.readyHandler = (msg) => {
        if (timer) clearTimeout(timer);
        if (msg.event === 'ready') resolve(msg.info as LlamaCppInfo);
        else fail(new Error(`llama.cpp reference worker failed to start: ${msg.error}`));
      };
      timer = setTimeout(
        () => fail(new Error(`llama.cpp reference worker did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void ref.exitPromise.then(() =>
        fail(new Error(`llama.cpp reference worker exited during startup.\n${stderrTail}`)),
      );
    });

    const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => ref.onLine(line));

    try {
      ref._info = await ready;
    } catch (err) {
      ref.kill();
      throw err;
    }
    return ref;
  }

  private readyHandler: ((msg: { event: string; info?: unknown; error?: string }) => void) | null = null;

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let msg: any;
    try {
      msg = JSON.parse(line);
    } catch {
      process.stderr.write(`[llama-cpp reference] non-JSON stdout line ignored: ${line}\n`);
      return;
    }
    if (msg && typeof msg.event === 'string') {
      const h = this.readyHandler;
      this.readyHandler = null;
      h?.(msg);
      return;
    }
    const p = msg?.id != null ? this.pending.get(msg.id) : undefined;
    if (!p) {
      process.stderr.write(`[llama-cpp reference] unmatched response: ${line.slice(0, 500)}\n`);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.error != null) p.reject(new Error(`llama.cpp reference "${p.op}" failed: ${msg.error}`));
    else p.resolve(msg.result);
  }

  private request<T>(op: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.exited || this.exitError) {
      return Promise.reject(this.exitError ?? new Error('llama.cpp reference worker is not running'));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, op });
      this.child.stdin.write(JSON.stringify({ ...params, id, op }) + '\n', (err) => {
        if (err && this.pending.delete(id)) reject(err);
      });
    });
  }

  /** Info captured at startup. */
  get startupInfo(): LlamaCppInfo {
    return this._info;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  info(): Promise<LlamaCppInfo> {
    return this.request<LlamaCppInfo>('info');
  }

  /** Raw tokenization (no BOS is added). specialTokens=true parses special-token text like <|im_start|>. */
  tokenize(text: string, specialTokens = false): Promise<{ tokens: number[] }> {
    return this.request('tokenize', { text, specialTokens });
  }

  /** specialTokens=true renders special tokens as their text (e.g. <|im_end|>). */
  detokenize(tokens: number[], specialTokens = false): Promise<{ text: string }> {
    return this.request('detokenize', { tokens, specialTokens });
  }

  /** Teacher-forced evaluation of `tokens` (length >= 2) from an empty KV cache. */
  teacherForced(tokens: number[], opts: TeacherForcedOptions = {}): Promise<TeacherForcedResult> {
    return this.request('teacherForced', { tokens, fullLogits: opts.fullLogits === true });
  }

  /** Pure greedy generation (argmax, no penalties) from an empty KV cache. */
  greedy(tokens: number[], opts: GreedyOptions = {}): Promise<GreedyResult> {
    return this.request('greedy', {
      tokens,
      maxTokens: opts.maxTokens ?? 256,
      stopTokens: opts.stopTokens ?? [],
    });
  }

  /** Time prompt prefill + first token, then `decodeTokens` greedy decode steps (EOS ignored). */
  timePrefill(tokens: number[], decodeTokens = 0): Promise<TimePrefillResult> {
    return this.request('timePrefill', { tokens, decodeTokens });
  }

  /** Ask the worker to shut down and wait for it to exit (kills it after `timeoutMs`). */
  close(timeoutMs = 10_000): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.exited) return;
      const timer = setTimeout(() => this.kill(), timeoutMs);
      try {
        await this.request('shutdown').catch(() => undefined);
        this.child.stdin.end();
        await this.exitPromise;
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }

  /** Kill the worker immediately. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

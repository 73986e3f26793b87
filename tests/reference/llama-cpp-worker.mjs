#!/usr/bin/env node
// Reference inference worker: llama.cpp (through node-llama-cpp) as a child process.
//
// node-llama-cpp is ESM-only (top-level await), so it can't be required from CommonJS / ts-jest.
// This script is spawned by tests/reference/llama-cpp.ts and speaks newline-delimited JSON:
//   stdin : one request per line   {"id": 1, "op": "tokenize", "text": "...", "specialTokens": false}
//   stdout: one response per line  {"id": 1, "result": {...}}   or   {"id": 1, "error": "message"}
//           plus, once at startup,  {"event": "ready", "info": {...}}  (or {"event": "fatal", "error": "..."})
// Nothing else is ever written to stdout; all logs go to stderr.
//
// Configuration (argv takes precedence over env):
//   --model PATH          | LLAMA_REF_MODEL          (default: <repo>/models/SmolLM2-135M-Instruct.Q4_1.gguf)
//   --threads N           | LLAMA_REF_THREADS        (default: 2)
//   --context-size N      | LLAMA_REF_CONTEXT_SIZE   (default: 8192)
//   --batch-size N        | LLAMA_REF_BATCH_SIZE     (default: = context size; node-llama-cpp sets n_ubatch = n_batch)
//   --flash-attention V   | LLAMA_REF_FLASH_ATTENTION ("auto" | "true" | "false"; default: "auto")
//
// Requests are processed strictly one at a time (single context sequence); every evaluating request
// starts from an empty KV cache, so requests are independent.

import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

// Make sure nothing can pollute the protocol channel, even if a library uses console.log.
const writeStderr = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
console.log = (...args) => writeStderr(...args);
console.info = (...args) => writeStderr(...args);
console.debug = (...args) => writeStderr(...args);
console.warn = (...args) => writeStderr(...args);

const protocolOut = process.stdout;
function send(obj) {
    protocolOut.write(JSON.stringify(obj) + "\n");
}

const __dirname = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith("--")) continue;
        const eq = a.indexOf("=");
        if (eq >= 0) out[a.slice(2, eq)] = a.slice(eq + 1);
        else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out[a.slice(2)] = argv[++i];
        else out[a.slice(2)] = "true";
    }
    return out;
}

function intOpt(value, fallback, name) {
    if (value == null || value === "") return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Invalid ${name}: ${value}`);
    return n;
}

const args = parseArgs(process.argv.slice(2));
const config = {
    modelPath: path.resolve(args.model ?? process.env.LLAMA_REF_MODEL ??
        path.join(__dirname, "..", "..", "models", "SmolLM2-135M-Instruct.Q4_1.gguf")),
    threads: intOpt(args.threads ?? process.env.LLAMA_REF_THREADS, 2, "threads"),
    contextSize: intOpt(args["context-size"] ?? process.env.LLAMA_REF_CONTEXT_SIZE, 8192, "context size"),
    batchSize: undefined,
    flashAttention: (() => {
        const v = args["flash-attention"] ?? process.env.LLAMA_REF_FLASH_ATTENTION ?? "auto";
        if (v === "auto") return "auto";
        if (v === "true" || v === "1") return true;
        if (v === "false" || v === "0") return false;
        throw new Error(`Invalid flash attention option: ${v}`);
    })()
};
config.batchSize = intOpt(args["batch-size"] ?? process.env.LLAMA_REF_BATCH_SIZE, config.contextSize, "batch size");

let llama, model, context, sequence, LlamaLogLevel;
let eosToken = 2;
let vocabSize = 0;

async function init() {
    const lib = await import("node-llama-cpp");
    LlamaLogLevel = lib.LlamaLogLevel;
    llama = await lib.getLlama({
        gpu: false,
        build: "never",
        logLevel: LlamaLogLevel.error,
        logger: (level, message) => writeStderr(`[llama.cpp ${level}] ${message}`),
        progressLogs: false,
        maxThreads: config.threads
    });
    model = await llama.loadModel({ modelPath: config.modelPath, gpuLayers: 0 });
    context = await model.createContext({
        contextSize: config.contextSize,
        batchSize: config.batchSize,
        sequences: 1,
        threads: { ideal: config.threads, min: config.threads },
        flashAttention: config.flashAttention,
        failedCreationRemedy: false
    });
    sequence = context.getSequence();
    eosToken = model.tokens.eos ?? 2;
    const md = model.fileInfo?.metadata ?? {};
    const arch = md.general?.architecture;
    const archMd = arch != null ? md[arch] : undefined;
    vocabSize = archMd?.vocab_size ?? md.tokenizer?.ggml?.tokens?.length ?? 0;
    if (!vocabSize) throw new Error("Could not determine the vocabulary size");
}

function info() {
    const md = model.fileInfo?.metadata ?? {};
    const arch = md.general?.architecture;
    const archMd = arch != null ? md[arch] : undefined;
    return {
        modelPath: config.modelPath,
        architecture: arch ?? null,
        threads: context.currentThreads,
        idealThreads: context.idealThreads,
        requestedThreads: config.threads,
        contextSize: context.contextSize,
        batchSize: context.batchSize,
        flashAttention: context.flashAttention,
        nLayers: archMd?.block_count ?? model.fileInsights?.totalLayers ?? null,
        vocabSize,
        trainContextSize: model.trainContextSize,
        bos: model.tokens.bos,
        eos: model.tokens.eos,
        eot: model.tokens.eot,
        shouldPrependBosToken: model.tokens.shouldPrependBosToken,
        llamaCppRelease: llama.llamaCppRelease?.release ?? null,
        nodeLlamaCppBuildType: llama.buildType ?? null,
        pid: process.pid
    };
}

// ----------------------------------------------------------------------------------------------
// helpers

function tokenArray(value, name, { minLength = 0 } = {}) {
    if (!Array.isArray(value)) throw new Error(`"${name}" must be an array of token ids`);
    for (const t of value) {
        if (!Number.isInteger(t) || t < 0 || t >= vocabSize)
            throw new Error(`"${name}" contains an invalid token id: ${t}`);
    }
    if (value.length < minLength) throw new Error(`"${name}" must contain at least ${minLength} token(s)`);
    return value;
}

function ensureFits(n, what) {
    if (n > context.contextSize)
        throw new Error(`${what} needs ${n} context positions but the context size is ${context.contextSize} ` +
            "(no context shifting is done in the reference worker)");
}

// Greedy next token only (temperature 0 => llama.cpp greedy sampler, i.e. argmax over the raw logits,
// no repeat penalty / bias / grammar).
const GREEDY = { generateNext: { token: true } };

async function resetSequence() {
    await sequence.clearHistory();
    if (sequence.nextTokenIndex !== 0)
        throw new Error(`Failed to clear the KV cache (nextTokenIndex=${sequence.nextTokenIndex})`);
}

/** Evaluate `tokens` (appended to the current sequence state), returning the greedy next token after the last one. */
async function evalAndGreedy(tokens) {
    const input = tokens.slice(0, -1);
    input.push([tokens[tokens.length - 1], GREEDY]);
    const out = await sequence.controlledEvaluate(input);
    const token = out[tokens.length - 1]?.next?.token;
    if (token == null) throw new Error("llama.cpp produced no token");
    return token;
}

// ----------------------------------------------------------------------------------------------
// ops

async function opTeacherForced(req) {
    const tokens = tokenArray(req.tokens, "tokens", { minLength: 2 });
    ensureFits(tokens.length, "teacherForced");
    const fullLogits = req.fullLogits === true;
    await resetSequence();

    const n = tokens.length;
    // The final token needs no output: its logits would predict a token we don't have.
    const input = new Array(n);
    for (let i = 0; i < n - 1; i++) {
        const nextToken = tokens[i + 1];
        input[i] = [tokens[i], {
            generateNext: fullLogits
                ? { token: true, logits: true }
                : {
                    token: true, // greedy sampler => the selected token is the argmax
                    // raw logits of the target token and of the selected (argmax) token
                    logits: { filter: { tokens: [nextToken], includeSelected: true } },
                    // sum_j exp(logit_j - maxLogit) over the FULL vocabulary (computed in float32 in C++)
                    totalLogitWeight: true
                }
        }];
    }
    input[n - 1] = tokens[n - 1];

    const top1 = new Array(n - 1);
    const logprobs = new Array(n - 1);
    let extractError = null;

    // Positions are processed as their outputs arrive (onTokenResult), so that in fullLogits mode the
    // 49k-entry logit Map of each position can be dropped immediately (keeping them all would need GBs).
    const onTokenResult = (i, output) => {
        try {
            const next = output?.next;
            if (next == null || next.token == null || next.logits == null)
                throw new Error(`Missing output for position ${i}`);
            const target = tokens[i + 1];
            top1[i] = next.token;
            if (fullLogits) {
                // float64 log-softmax over all logits
                let max = -Infinity;
                for (const v of next.logits.values()) if (v > max) max = v;
                let sum = 0;
                for (const v of next.logits.values()) sum += Math.exp(v - max);
                const lt = next.logits.get(target);
                if (lt == null) throw new Error(`Missing logit of token ${target} at position ${i}`);
                logprobs[i] = lt - max - Math.log(sum);
                delete next.logits;
            } else {
                const maxLogit = next.logits.get(next.token);
                const targetLogit = next.logits.get(target);
                if (maxLogit == null || targetLogit == null || next.totalLogitWeight == null)
                    throw new Error(`Incomplete logits output at position ${i}`);
                logprobs[i] = targetLogit - maxLogit - Math.log(next.totalLogitWeight);
            }
        } catch (err) {
            extractError ??= err;
        }
    };

    const t0 = performance.now();
    await sequence.controlledEvaluate(input, { onTokenResult });
    const evalMs = performance.now() - t0;
    if (extractError != null) throw extractError;
    for (let i = 0; i < n - 1; i++) {
        if (top1[i] === undefined || logprobs[i] === undefined) throw new Error(`No output for position ${i}`);
    }
    await resetSequence();
    return { top1, logprobs, evalMs };
}

async function opGreedy(req) {
    const tokens = tokenArray(req.tokens, "tokens", { minLength: 1 });
    const maxTokens = req.maxTokens ?? 256;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new Error(`Invalid maxTokens: ${req.maxTokens}`);
    const stop = new Set([eosToken, ...(req.stopTokens == null ? [] : tokenArray(req.stopTokens, "stopTokens"))]);
    ensureFits(tokens.length + Math.max(0, maxTokens - 1), "greedy");
    await resetSequence();
    if (maxTokens === 0) return { tokens: [], ttftMs: 0, decodeMs: 0, stopReason: "maxTokens", stopToken: null };

    const generated = [];
    let stopReason = "maxTokens";
    let stopToken = null;

    const t0 = performance.now();
    let tok = await evalAndGreedy(tokens);
    const t1 = performance.now();
    for (;;) {
        if (stop.has(tok)) {
            stopReason = "stop";
            stopToken = tok;
            break;
        }
        generated.push(tok);
        if (generated.length >= maxTokens) break;
        tok = await evalAndGreedy([tok]);
    }
    const t2 = performance.now();
    await resetSequence();
    return {
        tokens: generated,
        ttftMs: t1 - t0,
        decodeMs: t2 - t1,
        stopReason,
        stopToken
    };
}

async function opTimePrefill(req) {
    const tokens = tokenArray(req.tokens, "tokens", { minLength: 1 });
    const decodeTokens = req.decodeTokens ?? 0;
    if (!Number.isInteger(decodeTokens) || decodeTokens < 0) throw new Error(`Invalid decodeTokens: ${req.decodeTokens}`);
    ensureFits(tokens.length + decodeTokens, "timePrefill");
    await resetSequence();

    const t0 = performance.now();
    let tok = await evalAndGreedy(tokens);
    const t1 = performance.now();
    // decode steps: feed the greedy token back, EOS is ignored
    for (let i = 0; i < decodeTokens; i++) tok = await evalAndGreedy([tok]);
    const t2 = performance.now();
    await resetSequence();

    const decodeMs = t2 - t1;
    return {
        promptTokens: tokens.length,
        ttftMs: t1 - t0,
        prefillTokensPerSec: tokens.length / ((t1 - t0) / 1000),
        decodeTokens,
        decodeMs,
        decodeTokensPerSec: decodeTokens > 0 ? decodeTokens / (decodeMs / 1000) : null
    };
}

async function handle(req) {
    switch (req.op) {
        case "info":
            return info();
        case "tokenize": {
            if (typeof req.text !== "string") throw new Error('"text" must be a string');
            return { tokens: Array.from(model.tokenize(req.text, req.specialTokens === true)) };
        }
        case "detokenize": {
            const tokens = tokenArray(req.tokens, "tokens");
            return { text: model.detokenize(tokens, req.specialTokens === true) };
        }
        case "teacherForced":
            return await opTeacherForced(req);
        case "greedy":
            return await opGreedy(req);
        case "timePrefill":
            return await opTimePrefill(req);
        case "shutdown":
            return { ok: true };
        default:
            throw new Error(`Unknown op: ${JSON.stringify(req.op)}`);
    }
}

// ----------------------------------------------------------------------------------------------
// main loop

let shuttingDown = false;

async function shutdown(code) {
    if (shuttingDown) return;
    shuttingDown = true;
    try {
        await context?.dispose();
        await model?.dispose();
        await llama?.dispose();
    } catch (err) {
        writeStderr("[llama-cpp-worker] dispose error:", err?.stack ?? err);
    }
    // let stdout drain before exiting
    protocolOut.write("", () => process.exit(code));
}

try {
    await init();
} catch (err) {
    send({ event: "fatal", error: String(err?.message ?? err) });
    writeStderr("[llama-cpp-worker] init failed:", err?.stack ?? err);
    protocolOut.write("", () => process.exit(1));
    await new Promise(() => {});
}

send({ event: "ready", info: info() });

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();

rl.on("line", (line) => {
    if (line.trim() === "") return;
    queue = queue.then(async () => {
        if (shuttingDown) return;
        let req;
        try {
            req = JSON.parse(line);
        } catch (err) {
            send({ id: null, error: `Invalid JSON request: ${err.message}` });
            return;
        }
        const id = req?.id ?? null;
        try {
            const result = await handle(req);
            send({ id, result });
            if (req.op === "shutdown") await shutdown(0);
        } catch (err) {
            writeStderr(`[llama-cpp-worker] op ${req?.op} failed:`, err?.stack ?? err);
            send({ id, error: String(err?.message ?? err) });
        }
    });
});

rl.on("close", () => {
    // parent went away / closed stdin: finish pending work, then exit
    queue = queue.then(() => shutdown(0));
});

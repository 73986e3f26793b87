import { buildMultiDocQa, nqOpenRecords } from '@lazyllm/datasets';
import { ChatTemplate, clonePrefixState, computePrefix, DEFAULT_LAZY_SCHEDULE, Generation, LlamaModel, readGguf, resolveModelPath, restorePrefix, serializePrefix, Tokenizer, leadingTokens } from '@lazyllm/engine';
import { documentQaTokens } from '@lazyllm/prompts';
async function main() {
  const gguf = readGguf(resolveModelPath());
  const tok = Tokenizer.fromGguf(gguf); const tpl = ChatTemplate.fromGguf(gguf);
  const model = await LlamaModel.load({ threads: 2 });
  const records = nqOpenRecords();
  const N = Number(process.argv[2] ?? 40);
  const docs = records.slice(0, N).map((r) => ({ title: r.ctxs[0].title, text: r.ctxs[0].text }));
  const schedule = DEFAULT_LAZY_SCHEDULE;
  const params = { maxTokens: 8, stopTokens: tok.endOfGenerationIds, schedule };
  let t = performance.now();
  const q0 = documentQaTokens({ kind: 'document-qa', documents: docs, question: records[0].question }, tok, tpl);
  const prefix = await computePrefix(model, q0.tokens.slice(0, q0.prefixLength), schedule);
  console.log('prefix', q0.prefixLength, (performance.now() - t).toFixed(0), 'ms');
  t = performance.now(); const bytes = serializePrefix(model, prefix); console.log('bytes', bytes.length, bytes.length / q0.prefixLength, (performance.now()-t).toFixed(0));
  t = performance.now(); const back = restorePrefix(model, bytes); console.log('restore', (performance.now()-t).toFixed(0));
  let shared = clonePrefixState(prefix);
  for (let i = 0; i < 4; i++) {
    const q = documentQaTokens({ kind: 'document-qa', documents: docs, question: records[i].question }, tok, tpl);
    t = performance.now();
    const full = await Generation.start(model, q.tokens, params); await full.finish(); const tf = performance.now() - t;
    t = performance.now();
    const c = await Generation.continue(model, clonePrefixState(back), q.tokens.slice(q.prefixLength), params); const tp = c.timings.prefillMs; await c.finish(); const tc = performance.now() - t;
    t = performance.now();
    const s = await Generation.continue(model, clonePrefixState(shared), q.tokens.slice(q.prefixLength), params); const sp = s.timings.prefillMs;
    shared = leadingTokens(s.state, q.prefixLength); await s.finish(); const ts = performance.now() - t;
    console.log(i, 'full', tf.toFixed(0), full.timings.prefillMs.toFixed(0), JSON.stringify(tok.decode(full.generated)), '| cont', tc.toFixed(0), tp.toFixed(0), JSON.stringify(tok.decode(c.generated)), '| shared', ts.toFixed(0), sp.toFixed(0), JSON.stringify(tok.decode(s.generated)), c.state.computedShare.toFixed(3), full.state.computedShare.toFixed(3));
  }
  await model.release();
}
main();

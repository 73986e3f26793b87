/**
 * Every Redis key the service writes besides BullMQ's own, in one place. `p` is QUEUE_PREFIX
 * (default `lazyllm`); BullMQ's keys are `{p}:{queue}:...` with queue `prefill` or `decode`.
 *
 *   {p}:job:{id}                 hash    the JobRecord: one field per top-level property, its value JSON;
 *                                        timings as `timings.{name}` fields, so workers merge them
 *                                        without reading first; `idempotencyKey` when the client gave one
 *   {p}:job:{id}:events          stream  the job's JobEvents in order, one field `event` holding JSON
 *   {p}:job:{id}:tokens          string  how many token events were published (indices 0..n-1)
 *   {p}:job:{id}:cancel          string  present once a cancel was requested
 *   {p}:job:{id}:states          set     names of every generation state saved for the job, by any attempt,
 *                                        so the job's end deletes them all, those of attempts that died included
 *   {p}:idempotency:{key}        string  the job id an idempotency key was first used for
 *   {p}:state:{jobId}:{attempt}:{random}           string  handoff manifest, JSON {bytes, chunks, chunkBytes}, written last
 *   {p}:state:{jobId}:{attempt}:{random}:chunk:{i} string  chunk i of the serialized generation state
 *
 * Finished jobs' keys get a TTL (JOB_TTL_SECONDS): the record, events and token count are the job's
 * outcome, readable (and replayable over SSE) until then. States and the states set get a TTL when
 * written (STATE_TTL_SECONDS) as a backstop, and are deleted when the job ends, however it ends. With Redis Cluster the prefix must carry a hash tag (e.g. `{lazyllm}`):
 * then every key above, and BullMQ's, lands in one slot, which the multi-key scripts need.
 */
export interface JobKeys {
  readonly record: string;
  readonly events: string;
  readonly tokens: string;
  readonly cancel: string;
  readonly states: string;
}

export function jobKeys(prefix: string, id: string): JobKeys {
  const record = `${prefix}:job:${id}`;
  return { record, events: `${record}:events`, tokens: `${record}:tokens`, cancel: `${record}:cancel`, states: `${record}:states` };
}

export function idempotencyKey(prefix: string, key: string): string {
  return `${prefix}:idempotency:${key}`;
}

/** The part of a state's keys after the prefix; the handoff hands it out as the opaque state reference. */
export function stateName(jobId: string, attempt: number, random: string): string {
  return `state:${jobId}:${attempt}:${random}`;
}

export function stateManifestKey(prefix: string, name: string): string {
  return `${prefix}:${name}`;
}

export function stateChunkKey(prefix: string, name: string, index: number): string {
  return `${prefix}:${name}:chunk:${index}`;
}

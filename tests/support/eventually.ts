/**
 * Polls `read` until `done` accepts its value or `timeoutMs` passes, and returns the last value (the
 * test's own expectation then fails with it). For effects that follow an event a test waits on: a worker
 * publishes a job's end before it deletes the job's state and before BullMQ marks its job completed.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

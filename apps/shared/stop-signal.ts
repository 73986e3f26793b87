/**
 * Resolves on the first SIGTERM or SIGINT. Until then it holds the event loop open, because a worker
 * may have nothing else keeping it alive while it waits for work. Callers close the Nest app
 * themselves, so the process ends with exit code 0 instead of being re-killed by the signal.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
    const stop = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

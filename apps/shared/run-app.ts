import { Logger } from '@nestjs/common';
import { QueueSettingsError, RedisUnavailableError } from '@lazyllm/jobs';
import { MetricsSettingsError } from '@lazyllm/metrics';
import { ConfigurationError } from './configuration-error';
import { untilStopSignal } from './stop-signal';

interface ClosableApp {
  close(): Promise<void>;
}

/**
 * The life of an app process: start it, serve until SIGTERM/SIGINT, close it (running the providers'
 * shutdown hooks) and exit with code 0. A problem with the environment is printed as one line.
 */
export async function runApp(name: string, start: () => Promise<ClosableApp>): Promise<void> {
  const logger = new Logger(name);
  try {
    const app = await start();
    const signal = await untilStopSignal();
    logger.log(`${signal} received, shutting down`);
    await app.close();
  } catch (err) {
    if (isEnvironmentProblem(err)) console.error(err.message);
    else logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  }
}

/** Problems the user fixes in the environment (settings, model, Redis), whose message says how. */
function isEnvironmentProblem(err: unknown): err is Error {
  return err instanceof ConfigurationError || err instanceof QueueSettingsError || err instanceof RedisUnavailableError || err instanceof MetricsSettingsError;
}

import { Logger } from '@nestjs/common';
import { ConfigurationError } from './configuration-error';
import { untilStopSignal } from './stop-signal';

interface ClosableApp {
  close(): Promise<void>;
}

/**
 * The life of an app process: start it, serve until SIGTERM/SIGINT, close it (running the providers'
 * shutdown hooks) and exit with code 0. A configuration problem is printed as one line.
 */
export async function runApp(name: string, start: () => Promise<ClosableApp>): Promise<void> {
  const logger = new Logger(name);
  try {
    const app = await start();
    const signal = await untilStopSignal();
    logger.log(`${signal} received, shutting down`);
    await app.close();
  } catch (err) {
    if (err instanceof ConfigurationError) console.error(err.message);
    else logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  }
}

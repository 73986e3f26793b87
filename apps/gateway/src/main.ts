import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { checkRedisReachable, readQueueSettings } from '@lazyllm/jobs';
import { GgufError } from '@lazyllm/engine';
import { ConfigurationError } from '../../shared/configuration-error';
import { runApp } from '../../shared/run-app';
import { ModelProfile } from './admission/model-profile';
import { AppModule, type GatewayConfig } from './app.module';
import { configureGateway } from './configure-gateway';
import { readGatewaySettings, type GatewaySettings } from './settings/gateway-settings';

/** Reads everything before Nest starts, so a bad variable, model or Redis is one line, not Nest's error report. */
async function readConfig(): Promise<GatewayConfig> {
  const settings = readGatewaySettings();
  const queue = readQueueSettings();
  await checkRedisReachable(queue.redisUrl);
  return { settings, queue, model: readModelProfile(settings.modelPath) };
}

/** A file that is not a model this engine reads is the user's to fix, like a missing one. */
function readModelProfile(path: string): ModelProfile {
  try {
    return ModelProfile.read(path);
  } catch (err) {
    if (err instanceof GgufError) throw new ConfigurationError(err.message);
    throw err;
  }
}

/** Listens on PORT (and HOST when set); a port already taken is the user's to fix, so it is one line too. */
async function listen(app: NestExpressApplication, { port, host }: GatewaySettings): Promise<void> {
  try {
    await (host === undefined ? app.listen(port) : app.listen(port, host));
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL') throw new ConfigurationError(`cannot listen on ${host ?? ''}:${port} (${code}); set PORT (or HOST) to a free one`);
    throw err;
  }
}

void runApp('Gateway', async () => {
  const config = await readConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.withConfig(config), { abortOnError: false });
  configureGateway(app, config.settings);
  await listen(app, config.settings);
  const access = config.settings.apiKeys.length > 0 ? `${config.settings.apiKeys.length} API key(s) required` : 'no API keys (API_KEYS unset)';
  new Logger('Gateway').log(`listening on ${await app.getUrl()}, ${access}; docs at /docs, queue dashboard at /admin/queues`);
  return app;
});

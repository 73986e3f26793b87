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
import { readGatewaySettings } from './settings/gateway-settings';

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

void runApp('Gateway', async () => {
  const config = await readConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.withConfig(config), { abortOnError: false });
  configureGateway(app, config.settings);
  await (config.settings.host === undefined ? app.listen(config.settings.port) : app.listen(config.settings.port, config.settings.host));
  new Logger('Gateway').log(`listening on ${await app.getUrl()}`);
  return app;
});

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readQueueSettings, type QueueSettings } from '@lazyllm/jobs';
import { ModelProfile } from '../../../apps/gateway/src/admission/model-profile';
import { AppModule } from '../../../apps/gateway/src/app.module';
import { configureGateway } from '../../../apps/gateway/src/configure-gateway';
import type { GatewaySettings } from '../../../apps/gateway/src/settings/gateway-settings';
import { modelPath } from '../../../apps/shared/engine-settings';

/** The gateway app in this process, as main.ts builds it, on a free port of 127.0.0.1. */
export interface InProcessGateway {
  readonly app: NestExpressApplication;
  readonly url: string;
  readonly model: ModelProfile;
  readonly queue: QueueSettings;
  close(): Promise<void>;
}

export async function startInProcessGateway(redisUrl: string, settings: Partial<GatewaySettings> = {}): Promise<InProcessGateway> {
  const path = modelPath();
  const model = ModelProfile.read(path);
  const queue = readQueueSettings({ REDIS_URL: redisUrl });
  const full: GatewaySettings = { port: 0, host: '127.0.0.1', modelPath: path, maxPromptTokens: undefined, maxBodyBytes: 1024 * 1024, apiKeys: [], ...settings };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.withConfig({ settings: full, queue, model }), { logger: false, abortOnError: false });
  configureGateway(app, full);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), model, queue, close: () => app.close() };
}

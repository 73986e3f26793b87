import { Test } from '@nestjs/testing';
import { ENGINE_SETTINGS } from '../../shared/engine-settings';
import { AppModule } from './app.module';
import { PrefillWorkerService } from './prefill-worker.service';

describe('prefill worker module', () => {
  it('provides the service with the engine settings it was given', async () => {
    const settings = { modelPath: '/models/test.gguf', threads: 2 };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.withSettings(settings)] }).compile();
    expect(moduleRef.get(ENGINE_SETTINGS)).toBe(settings);
    expect(moduleRef.get(PrefillWorkerService)).toBeInstanceOf(PrefillWorkerService);
    await moduleRef.close();
  });
});

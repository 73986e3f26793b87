import { DynamicModule, Module } from '@nestjs/common';
import { ENGINE_SETTINGS, EngineSettings } from '../../shared/engine-settings';
import { PrefillWorkerService } from './prefill-worker.service';

/** The prefill worker pool's process: the prefill service and the engine settings it runs with. */
@Module({})
export class AppModule {
  static withSettings(settings: EngineSettings): DynamicModule {
    return {
      module: AppModule,
      providers: [{ provide: ENGINE_SETTINGS, useValue: settings }, PrefillWorkerService],
    };
  }
}

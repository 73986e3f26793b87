import { DynamicModule, Module } from '@nestjs/common';
import { ENGINE_SETTINGS, EngineSettings } from '../../shared/engine-settings';
import { DecodeWorkerService } from './decode-worker.service';

/** The decode worker pool's process: the decode service and the engine settings it runs with. */
@Module({})
export class AppModule {
  static withSettings(settings: EngineSettings): DynamicModule {
    return {
      module: AppModule,
      providers: [{ provide: ENGINE_SETTINGS, useValue: settings }, DecodeWorkerService],
    };
  }
}

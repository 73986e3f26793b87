import { DynamicModule, Module } from '@nestjs/common';
import { WorkerResourcesModule } from '../../shared/worker-resources.module';
import { WorkerSettings } from '../../shared/worker-settings';
import { PrefillProcessor } from './prefill.processor';
import { PrefillService } from './prefill.service';

/** The prefill pool's process: consumes the prefill queue, runs LazyLLM prefill and hands states to the decode pool. */
@Module({})
export class AppModule {
  static withSettings(settings: WorkerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [WorkerResourcesModule.withSettings(settings)],
      providers: [PrefillService, PrefillProcessor],
    };
  }
}

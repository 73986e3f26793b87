import { DynamicModule, Module } from '@nestjs/common';
import { WorkerResourcesModule } from '../../shared/worker-resources.module';
import { WorkerSettings } from '../../shared/worker-settings';
import { DecodeProcessor } from './decode.processor';
import { DecodeService } from './decode.service';

/** The decode pool's process: consumes the decode queue, resumes handed-over generations and finishes them. */
@Module({})
export class AppModule {
  static withSettings(settings: WorkerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [WorkerResourcesModule.withSettings(settings)],
      providers: [DecodeService, DecodeProcessor],
    };
  }
}

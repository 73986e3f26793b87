import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { BatchStore } from './batch-store';
import { BatchesController } from './batches.controller';
import { BatchesService } from './batches.service';

/** POST /batches, GET /batches/:id (progress), GET /batches/:id/results (JSON or JSON lines). */
@Module({
  imports: [JobsModule],
  controllers: [BatchesController],
  providers: [BatchesService, BatchStore],
})
export class BatchesModule {}

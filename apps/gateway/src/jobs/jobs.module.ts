import { Module } from '@nestjs/common';
import { JobEventsService } from './job-events.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/** POST /jobs, GET /jobs/:id, GET /jobs/:id/events (SSE), DELETE /jobs/:id. */
@Module({
  controllers: [JobsController],
  providers: [JobsService, JobEventsService],
  exports: [JobsService],
})
export class JobsModule {}

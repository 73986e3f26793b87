import { Module } from '@nestjs/common';
import { JobEventFeed } from './job-event-feed';
import { JobEventsService } from './job-events.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/** POST /jobs, GET /jobs/:id, GET /jobs/:id/events (SSE), DELETE /jobs/:id. */
@Module({
  controllers: [JobsController],
  providers: [JobsService, JobEventsService, JobEventFeed],
  exports: [JobsService, JobEventFeed],
})
export class JobsModule {}

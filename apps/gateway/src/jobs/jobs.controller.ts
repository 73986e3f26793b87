import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CreateJobDto } from './dto/create-job.dto';
import { JobEventsService } from './job-events.service';
import { jobLinks, type JobLinks, type JobView } from './job-view';
import { JobsService } from './jobs.service';

export interface AcceptedJob {
  readonly id: string;
  readonly links: JobLinks;
}

@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly events: JobEventsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(
    @Body() body: CreateJobDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AcceptedJob> {
    const id = await this.jobs.submit(body, idempotencyKey);
    const links = jobLinks(id);
    response.location(links.self);
    return { id, links };
  }

  @Get(':id')
  view(@Param('id') id: string): Promise<JobView> {
    return this.jobs.view(id);
  }

  @Get(':id/events')
  stream(@Param('id') id: string, @Headers('last-event-id') lastEventId: string | undefined, @Res() response: Response): Promise<void> {
    return this.events.stream(id, lastEventId, response);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.ACCEPTED)
  cancel(@Param('id') id: string): Promise<JobView> {
    return this.jobs.cancel(id);
  }
}

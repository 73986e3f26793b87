import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CreateJobDto } from './dto/create-job.dto';
import { JobEventsService } from './job-events.service';
import { jobLinks, type JobLinks, type JobView } from './job-view';
import { JobsService } from './jobs.service';

export interface AcceptedJob {
  readonly id: string;
  readonly links: JobLinks;
}

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly events: JobEventsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Submit a job: a prompt, chat messages, or documents with a question' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key gets the same job back.' })
  @ApiAcceptedResponse({ description: 'Accepted: the job id and where to poll and stream it.' })
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
  @ApiOperation({ summary: 'Status, timings, share of computation done, and the result once finished' })
  view(@Param('id') id: string): Promise<JobView> {
    return this.jobs.view(id);
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'The job\'s events as Server-Sent Events (token, then done/failed/cancelled), replayable from the start or after Last-Event-ID' })
  @ApiProduces('text/event-stream')
  stream(@Param('id') id: string, @Headers('last-event-id') lastEventId: string | undefined, @Res() response: Response): Promise<void> {
    return this.events.stream(id, lastEventId, response);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Cancel a job: taken off the queue if waiting, else stopped by its worker' })
  @HttpCode(HttpStatus.ACCEPTED)
  cancel(@Param('id') id: string): Promise<JobView> {
    return this.jobs.cancel(id);
  }
}

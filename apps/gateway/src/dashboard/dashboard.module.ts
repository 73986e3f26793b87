import { Module } from '@nestjs/common';
import { QueueDashboard } from './queue-dashboard';

/** The queue dashboard at DASHBOARD_PATH; mounted on the HTTP server by configureGateway, outside Nest's routing. */
@Module({
  providers: [QueueDashboard],
  exports: [QueueDashboard],
})
export class DashboardModule {}

import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { bearerToken } from '../auth/api-keys';

/** Counts requests per API key when one is sent, else per client IP; keys are tracked by digest, never as sent. */
@Injectable()
export class KeyOrIpThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const req = request as unknown as Request;
    const key = bearerToken(req.headers);
    return Promise.resolve(key === undefined ? `ip:${req.ip ?? 'unknown'}` : `key:${createHash('sha256').update(key).digest('hex')}`);
  }
}

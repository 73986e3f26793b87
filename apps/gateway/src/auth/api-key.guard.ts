import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeys, bearerToken } from './api-keys';
import { IS_PUBLIC } from './public.decorator';

/** Every route but the @Public() ones needs `Authorization: Bearer <key>` with a key of API_KEYS, when it is set. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.required || this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    if (this.keys.accepts(bearerToken(http.getRequest<Request>().headers))) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('a valid API key is required: send Authorization: Bearer <key>');
  }
}

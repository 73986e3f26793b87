import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { API_KEY_COOKIE, ApiKeys, bearerToken } from './api-keys';

const LOGIN_PARAM = 'api_key';

/**
 * Access to pages a browser opens (/docs, the queue dashboard), which are not Nest routes and so are not
 * seen by the guard. Besides the Bearer header they take the key from a cookie, which a visit with
 * `?api_key=<key>` sets (HttpOnly, SameSite=Strict, so other sites cannot use it) before redirecting to
 * the same page without the key in its address.
 */
export function browserAccess(keys: ApiKeys): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    if (!keys.required) return next();
    const url = new URL(request.originalUrl, 'http://gateway');
    const login = url.searchParams.get(LOGIN_PARAM);
    if (login !== null && keys.accepts(login)) {
      url.searchParams.delete(LOGIN_PARAM);
      response.setHeader('Set-Cookie', serializeCookie(API_KEY_COOKIE, login, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: '/' }));
      return response.redirect(303, `${url.pathname}${url.search}`);
    }
    const cookie = parseCookies(request.headers.cookie ?? '')[API_KEY_COOKIE];
    if (login === null && (keys.accepts(bearerToken(request.headers)) || keys.accepts(cookie))) return next();
    response
      .status(401)
      .setHeader('WWW-Authenticate', 'Bearer')
      .type('text/plain')
      .send(`A valid API key is required: send Authorization: Bearer <key>, or open ${url.pathname}?${LOGIN_PARAM}=<key> once in this browser.\n`);
  };
}

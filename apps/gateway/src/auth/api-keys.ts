import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The cookie a browser gets from `?api_key=` on /docs or the dashboard, so pages and their own requests carry the key. */
export const API_KEY_COOKIE = 'lazyllm_api_key';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The key in `Authorization: Bearer <key>`, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/**
 * The keys of API_KEYS. Without any, access is open. Keys are compared as SHA-256 digests in constant
 * time, so neither their length nor their first differing byte shows in the response time.
 */
export class ApiKeys {
  private readonly digests: readonly Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get required(): boolean {
    return this.digests.length > 0;
  }

  accepts(key: string | undefined): boolean {
    if (!this.required) return true;
    if (key === undefined) return false;
    const candidate = digest(key);
    // Every key is compared, so the time does not tell which one matched.
    return this.digests.reduce((found, known) => timingSafeEqual(known, candidate) || found, false);
  }
}

// Turns an Authorization header into the calling user, whichever kind of token it carries.
import { AppError } from '../errors/app-error';
import { verifyAccessToken, type AccessTokenSettings } from './access-token';
import { looksLikeApiToken } from './api-token-format';

export interface Caller {
  readonly userId: string;
  readonly via: 'access-token' | 'api-token';
  /** Seconds since the epoch; undefined for an API token without expiry. */
  readonly expiresAt?: number;
}

/** What resolving a caller needs of the API tokens (ApiTokenService is one). */
export interface ApiTokenAuthenticator {
  authenticate(token: string): Promise<{ userId: string; expiresAt: Date | null }>;
}

/** Verified access tokens are remembered until they expire (bounded), sparing the HMAC per request. */
const VERIFIED_CACHE_SIZE = 10_000;

export class CallerResolver {
  private readonly verified = new Map<string, Caller>();

  constructor(
    private readonly tokens: AccessTokenSettings,
    private readonly apiTokens: ApiTokenAuthenticator,
  ) {}

  private async verify(token: string): Promise<Caller> {
    const cached = this.verified.get(token);
    if (cached && cached.expiresAt! * 1000 > Date.now()) return cached;
    const claims = await verifyAccessToken(this.tokens, token);
    const caller: Caller = { userId: claims.userId, via: 'access-token', expiresAt: claims.expiresAt };
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, caller);
    return caller;
  }

  /** null when no credentials were sent; throws UNAUTHENTICATED for bad ones. */
  async resolve(authorization: string | undefined): Promise<Caller | null> {
    if (authorization === undefined || authorization.trim() === '') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
    const token = match[1]!;
    if (looksLikeApiToken(token)) {
      const { userId, expiresAt } = await this.apiTokens.authenticate(token);
      return { userId, via: 'api-token', ...(expiresAt ? { expiresAt: Math.floor(expiresAt.getTime() / 1000) } : {}) };
    }
    return this.verify(token);
  }
}

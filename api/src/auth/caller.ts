// Turns an Authorization header into the calling user, whichever kind of token it carries.
import { AppError } from '../errors/app-error';
import { verifyAccessToken, type AccessTokenSettings } from './access-token';
import { looksLikeApiToken } from './api-token-format';
import type { ApiTokenService } from './api-token.service';

export interface Caller {
  readonly userId: string;
  readonly via: 'access-token' | 'api-token';
  /** Seconds since the epoch; access tokens only. */
  readonly expiresAt?: number;
}

export class CallerResolver {
  constructor(
    private readonly tokens: AccessTokenSettings,
    private readonly apiTokens: ApiTokenService,
  ) {}

  /** null when no credentials were sent; throws UNAUTHENTICATED for bad ones. */
  async resolve(authorization: string | undefined): Promise<Caller | null> {
    if (authorization === undefined || authorization.trim() === '') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
    const token = match[1]!;
    if (looksLikeApiToken(token)) return { userId: await this.apiTokens.authenticate(token), via: 'api-token' };
    const claims = await verifyAccessToken(this.tokens, token);
    return { userId: claims.userId, via: 'access-token', expiresAt: claims.expiresAt };
  }
}

// API tokens for scripts and CI: shown once, stored as a digest, optionally expiring.
import type { ApiToken, PrismaClient } from '../generated/prisma/client';
import { AppError, badInput, notFound } from '../errors/app-error';
import { translateDatabaseError } from '../db/database-errors';
import { generateApiToken, isWellFormedApiToken } from './api-token-format';
import { digest } from './secret-digest';

/** lastUsedAt is refreshed at most this often, so authenticating is not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiTokenService {
  constructor(private readonly prisma: PrismaClient) {}

  async create(userId: string, rawName: string, expiresAt: Date | null | undefined): Promise<{ token: string; apiToken: ApiToken }> {
    const name = rawName.trim();
    if (name.length < 1 || name.length > 100) throw badInput('name', 'Token name must be 1 to 100 characters long');
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw badInput('expiresAt', 'expiresAt must be in the future');
    const token = generateApiToken();
    try {
      const apiToken = await this.prisma.apiToken.create({ data: { userId, name, tokenHash: digest(token), expiresAt: expiresAt ?? null } });
      return { token, apiToken };
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  async revoke(userId: string, id: string): Promise<boolean> {
    const result = await this.prisma.apiToken
      .updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } })
      .catch((error: unknown) => Promise.reject(translateDatabaseError(error)));
    if (result.count === 0) throw notFound('API token');
    return true;
  }

  /** The owner's user id and the token's expiry, or UNAUTHENTICATED. */
  async authenticate(token: string): Promise<{ userId: string; expiresAt: Date | null }> {
    if (!isWellFormedApiToken(token)) throw new AppError('UNAUTHENTICATED', 'API token is not valid');
    const found = await this.prisma.apiToken
      .findUnique({ where: { tokenHash: digest(token) } })
      .catch((error: unknown) => Promise.reject(translateDatabaseError(error)));
    const now = Date.now();
    if (!found || found.revokedAt || (found.expiresAt && found.expiresAt.getTime() <= now)) {
      throw new AppError('UNAUTHENTICATED', 'API token is not valid');
    }
    if (!found.lastUsedAt || now - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      // Best effort: a missed update only makes lastUsedAt a little stale.
      this.prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
    }
    return { userId: found.userId, expiresAt: found.expiresAt };
  }
}

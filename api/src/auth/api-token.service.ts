// API tokens for scripts and CI: shown once, stored as a digest, always expiring (90 days
// unless asked otherwise, at most 366), minted only from a log-in session, listed to their owner.
import type { ApiToken, PrismaClient } from '../generated/prisma/client';
import { AppError, badInput, forbidden, notFound } from '../errors/app-error';
import { translateDatabaseError } from '../errors/database-errors';
import { generateApiToken, isWellFormedApiToken } from './api-token-format';
import type { Caller } from './caller';
import { digest } from './secret-digest';
import type { Tx } from '../db/tx';

const DAY_MS = 24 * 60 * 60 * 1000;
export const API_TOKEN_DEFAULT_DAYS = 90;
export const API_TOKEN_MAX_DAYS = 366;

/** lastUsedAt is refreshed at most this often, so authenticating is not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Live (unrevoked, unexpired) tokens a user may hold at once. */
export const API_TOKEN_MAX_LIVE = 100;
/** The list is not paginated: the newest this many unrevoked tokens. */
const MAX_LISTED = 200;

/** A token made or revoked, for the audit trail. */
export interface ApiTokenChange {
  readonly action: 'token.created' | 'token.revoked';
  /** The token's row id. */
  readonly tokenId: string;
  readonly data: Record<string, unknown>;
}

/**
 * Records a change in the audit trail inside the change's own transaction, so both commit or
 * neither does. The audit module supplies it (auth sits below the modules and cannot call them).
 */
export type ApiTokenAudit = (tx: Tx, userId: string, change: ApiTokenChange) => Promise<void>;

export class ApiTokenService {
  // Truly private (#): the services object reaches resolvers, the unscoped client must not.
  readonly #prisma: PrismaClient;

  constructor(
    prisma: PrismaClient,
    private readonly audit: ApiTokenAudit,
  ) {
    this.#prisma = prisma;
  }

  /**
   * Only a log-in session (an access token from signUp, logIn or refreshSession) mints API
   * tokens: a leaked API token must not be able to make itself a successor its owner never sees.
   */
  async create(caller: Caller, rawName: string, requestedExpiry: Date | null | undefined): Promise<{ token: string; apiToken: ApiToken }> {
    if (caller.via !== 'access-token') throw forbidden('An API token cannot create API tokens; log in and use the access token');
    const name = rawName.trim();
    if (name.length < 1 || name.length > 100) throw badInput('name', 'Token name must be 1 to 100 characters long');
    const now = Date.now();
    if (requestedExpiry && requestedExpiry.getTime() <= now) throw badInput('expiresAt', 'expiresAt must be in the future');
    if (requestedExpiry && requestedExpiry.getTime() > now + API_TOKEN_MAX_DAYS * DAY_MS) {
      throw badInput('expiresAt', `expiresAt may be at most ${API_TOKEN_MAX_DAYS} days away`);
    }
    const expiresAt = requestedExpiry ?? new Date(now + API_TOKEN_DEFAULT_DAYS * DAY_MS);
    const token = generateApiToken();
    try {
      return await this.#prisma.$transaction(async (tx) => {
        const live = await tx.apiToken.count({ where: { userId: caller.userId, revokedAt: null, expiresAt: { gt: new Date(now) } } });
        if (live >= API_TOKEN_MAX_LIVE) throw badInput('name', `At most ${API_TOKEN_MAX_LIVE} live API tokens per user; revoke some first`);
        const apiToken = await tx.apiToken.create({ data: { userId: caller.userId, name, tokenHash: digest(token), expiresAt } });
        await this.audit(tx, caller.userId, { action: 'token.created', tokenId: apiToken.id, data: { name, expiresAt: expiresAt.toISOString() } });
        return { token, apiToken };
      });
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  /** The user's tokens that are not revoked (expired ones included), newest first. */
  async list(userId: string): Promise<ApiToken[]> {
    return this.#prisma.apiToken
      .findMany({ where: { userId, revokedAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: MAX_LISTED })
      .catch((error: unknown) => Promise.reject(translateDatabaseError(error)));
  }

  async revoke(userId: string, id: string): Promise<boolean> {
    return this.#prisma
      .$transaction(async (tx) => {
        const token = await tx.apiToken.findFirst({ where: { id, userId, revokedAt: null }, select: { name: true } });
        const result = await tx.apiToken.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
        if (result.count === 0 || !token) throw notFound('API token');
        await this.audit(tx, userId, { action: 'token.revoked', tokenId: id, data: { name: token.name } });
        return true;
      })
      .catch((error: unknown) => Promise.reject(translateDatabaseError(error)));
  }

  /** The owner's user id and the token's expiry, or UNAUTHENTICATED. */
  async authenticate(token: string): Promise<{ userId: string; expiresAt: Date | null }> {
    if (!isWellFormedApiToken(token)) throw new AppError('UNAUTHENTICATED', 'API token is not valid');
    const found = await this.#prisma.apiToken
      .findUnique({ where: { tokenHash: digest(token) } })
      .catch((error: unknown) => Promise.reject(translateDatabaseError(error)));
    const now = Date.now();
    if (!found || found.revokedAt || (found.expiresAt && found.expiresAt.getTime() <= now)) {
      throw new AppError('UNAUTHENTICATED', 'API token is not valid');
    }
    if (!found.lastUsedAt || now - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      // Best effort: a missed update only makes lastUsedAt a little stale.
      this.#prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
    }
    return { userId: found.userId, expiresAt: found.expiresAt };
  }
}

// The process-wide collaborators every request shares, wired once at start-up. The database
// is not among them: requests reach tenant data only through `tenancy`'s scopes (the pool and
// the unscoped client stay with the server's start-up wiring).
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/prisma-client';
import type { TransactionLimits } from './db/transaction-limits';
import { Tenancy } from './tenancy/tenancy';
import { secretKey, type AccessTokenSettings } from './auth/access-token';
import { ApiTokenService } from './auth/api-token.service';
import { CallerResolver } from './auth/caller';
import { SessionService } from './auth/session.service';
import { useSealingSecret } from './graphql/sealed-row-id';
import type { ObjectStore } from './modules/attachment/object-store';
import { createObjectStore } from './modules/attachment/object-store-choice';
import { auditApiTokenChange } from './modules/audit/token-audit';

export interface AppServices {
  readonly config: Config;
  /** The scope factories: the only way from here to a tenant's (or the caller's own) rows. */
  readonly tenancy: Tenancy;
  readonly logger: Logger;
  readonly tokens: AccessTokenSettings;
  readonly sessions: SessionService;
  readonly apiTokens: ApiTokenService;
  readonly callers: CallerResolver;
  /** Where attachment bytes live (S3 or the filesystem, chosen by configuration). */
  readonly objectStore: ObjectStore;
}

export function createAppServices(config: Config, database: Database, logger: Logger): AppServices {
  const tokens: AccessTokenSettings = {
    secret: secretKey(config.jwtSecret),
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.accessTokenTtlSeconds,
  };
  const apiTokens = new ApiTokenService(database.prisma, auditApiTokenChange);
  // Sealed event and delivery ids must read the same on every instance: keyed by the shared secret.
  useSealingSecret(tokens.secret);
  const transactionLimits: TransactionLimits = {
    acquireTimeoutMs: config.dbAcquireTimeoutMs,
    transactionTimeoutMs: Math.max(config.dbStatementTimeoutMs * 2, 5_000),
  };
  return {
    config,
    tenancy: new Tenancy(database.prisma, transactionLimits, database.pool),
    logger,
    tokens,
    sessions: new SessionService(database.prisma, tokens, {
      sessionLifetimeDays: config.sessionLifetimeDays,
      loginFailureLimit: config.loginFailureLimit,
      loginAddressFailureLimit: config.loginAddressFailureLimit,
      loginEmailFailureCeiling: config.loginEmailFailureCeiling,
    }),
    apiTokens,
    callers: new CallerResolver(tokens, apiTokens),
    objectStore: createObjectStore(config.attachments),
  };
}

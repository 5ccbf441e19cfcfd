// Accounts and sessions: sign-up, log-in with failure limits per client address and per email,
// and refresh-token rotation where replaying a rotated token revokes the whole family (theft
// detection).
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client';
import { PUBLIC_USER_COLUMNS, type PublicUser } from './public-user';
import { AppError, badInput } from '../errors/app-error';
import { isUniqueViolation, translateDatabaseError } from '../errors/database-errors';
import { signAccessToken, type AccessTokenSettings } from './access-token';
import { normalizeEmail } from './email';
import { assertPasswordAcceptable, decoyPasswordHash, hashPassword, verifyPassword } from './password';
import { digest, randomSecret } from './secret-digest';

export interface SessionPolicy {
  readonly sessionLifetimeDays: number;
  /** Per (email, client address): a stranger's guesses lock the account only for the stranger. */
  readonly loginFailureLimit: number;
  /** Per client address, whatever the emails: rotating emails does not escape it. */
  readonly loginAddressFailureLimit: number;
  /** Per email from everywhere: many addresses together still meet a ceiling. */
  readonly loginEmailFailureCeiling: number;
}

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly user: PublicUser;
}

/** Failed log-ins count against an account for this long (then housekeeping removes them). */
export const FAILURE_WINDOW_MS = 60 * 60 * 1000;
const INVALID_LOGIN = 'Invalid email or password';
const INVALID_REFRESH = 'Refresh token is not valid';

export class SessionService {
  // Truly private (#): the services object reaches resolvers, the unscoped client must not.
  readonly #prisma: PrismaClient;

  constructor(
    prisma: PrismaClient,
    private readonly tokens: AccessTokenSettings,
    private readonly policy: SessionPolicy,
  ) {
    this.#prisma = prisma;
  }

  async signUp(input: { email: string; name: string; password: string }): Promise<Session> {
    const email = normalizeEmail(input.email);
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw badInput('name', 'Name must be 1 to 100 characters long');
    assertPasswordAcceptable(input.password);
    const passwordHash = await hashPassword(input.password);
    try {
      const user = await this.#prisma.user.create({ data: { email, name, passwordHash }, select: PUBLIC_USER_COLUMNS });
      return await this.startSession(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('CONFLICT', 'An account with this email already exists', { field: 'email' });
      throw translateDatabaseError(error);
    }
  }

  /** `address` is the client's address key (see client-address.ts). */
  async logIn(rawEmail: string, password: string, address: string): Promise<Session> {
    let email: string;
    try {
      email = normalizeEmail(rawEmail);
    } catch {
      throw new AppError('UNAUTHENTICATED', INVALID_LOGIN);
    }
    try {
      // The attempt is recorded as a failure before the password is checked and forgotten only
      // if it succeeds, so concurrent guesses all count: of N at once, at most the limit get
      // through (counting first and recording after would let every one of them through).
      const attempt = await this.#prisma.loginFailure.create({ data: { email, address }, select: { id: true } });
      const refusal = await this.overLimit(email, address);
      if (refusal) {
        await this.#prisma.loginFailure.delete({ where: { id: attempt.id } });
        throw new AppError('RATE_LIMITED', refusal);
      }
      const found = await this.#prisma.user.findUnique({ where: { email }, select: { ...PUBLIC_USER_COLUMNS, passwordHash: true } });
      const matches = await verifyPassword(found?.passwordHash ?? (await decoyPasswordHash()), password);
      if (!found || !matches) throw new AppError('UNAUTHENTICATED', INVALID_LOGIN);
      await this.#prisma.loginFailure.delete({ where: { id: attempt.id } });
      // The hash was for the check only; the session shows the public columns.
      const { passwordHash: _hash, ...user } = found;
      return await this.startSession(user);
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  /** Why this attempt (already recorded) is refused, or null. One statement, three counts. */
  private async overLimit(email: string, address: string): Promise<string | null> {
    const since = new Date(Date.now() - FAILURE_WINDOW_MS);
    const [counts] = await this.#prisma.$queryRaw<{ pair: number; fromAddress: number; forEmail: number }[]>`
      SELECT (SELECT count(*)::int FROM login_failures WHERE email = ${email} AND at >= ${since} AND address = ${address}) AS pair,
             (SELECT count(*)::int FROM login_failures WHERE address = ${address} AND at >= ${since}) AS "fromAddress",
             (SELECT count(*)::int FROM login_failures WHERE email = ${email} AND at >= ${since}) AS "forEmail"`;
    const { loginFailureLimit, loginAddressFailureLimit, loginEmailFailureCeiling } = this.policy;
    if (counts!.fromAddress > loginAddressFailureLimit) return 'Too many failed log-ins from your address; try again later';
    if (counts!.pair > loginFailureLimit || counts!.forEmail > loginEmailFailureCeiling) return 'Too many failed log-ins for this account; try again later';
    return null;
  }

  async refresh(refreshToken: string): Promise<Session> {
    try {
      const found = await this.#prisma.refreshToken.findUnique({ where: { tokenHash: digest(refreshToken) }, include: { user: { select: PUBLIC_USER_COLUMNS } } });
      if (!found || found.revokedAt || found.expiresAt <= new Date()) throw new AppError('UNAUTHENTICATED', INVALID_REFRESH);
      const secret = randomSecret();
      const rotated = await this.#prisma.$transaction(async (tx) => {
        // Conditional on not yet rotated: of two racing uses, exactly one wins.
        const claimed = await tx.refreshToken.updateMany({ where: { id: found.id, rotatedAt: null, revokedAt: null }, data: { rotatedAt: new Date() } });
        if (claimed.count === 0) return false;
        await tx.refreshToken.create({
          data: { userId: found.userId, familyId: found.familyId, tokenHash: digest(secret), expiresAt: found.expiresAt },
        });
        return true;
      });
      if (!rotated) {
        await this.revokeFamily(found.familyId);
        throw new AppError('UNAUTHENTICATED', INVALID_REFRESH);
      }
      return { accessToken: await signAccessToken(this.tokens, found.userId), refreshToken: secret, user: found.user };
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.#prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  private async startSession(user: PublicUser): Promise<Session> {
    const secret = randomSecret();
    const expiresAt = new Date(Date.now() + this.policy.sessionLifetimeDays * 24 * 60 * 60 * 1000);
    await this.#prisma.refreshToken.create({ data: { userId: user.id, familyId: randomUUID(), tokenHash: digest(secret), expiresAt } });
    return { accessToken: await signAccessToken(this.tokens, user.id), refreshToken: secret, user };
  }
}

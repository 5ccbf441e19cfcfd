// Short-lived JWT access tokens: HS256 only, issuer and audience pinned, so `alg: none`,
// algorithm switches and tokens for other services are all refused.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error';

export interface AccessTokenSettings {
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

export interface AccessTokenClaims {
  readonly userId: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

const ALGORITHM = 'HS256';

export function secretKey(secret: string | undefined): Uint8Array {
  return secret ? new TextEncoder().encode(secret) : randomBytes(32);
}

export async function signAccessToken(settings: AccessTokenSettings, userId: string, ttlSeconds = settings.ttlSeconds): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(settings.secret);
}

export async function verifyAccessToken(settings: AccessTokenSettings, token: string): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, settings.secret, {
      algorithms: [ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['sub', 'exp'],
    });
    return { userId: payload.sub as string, expiresAt: payload.exp as number };
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new AppError('UNAUTHENTICATED', expired ? 'Access token expired' : 'Access token is not valid', { cause: error });
  }
}

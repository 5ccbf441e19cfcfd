// What the request generator may ask for, derived from the data profile with the same
// formulas as the generator (no database round trip): the memberships (who may act in which
// organization), project keys, issue numbers, and a signed access token per user.
import { SignJWT } from 'jose';
import type { DataProfile } from './config';
import { PROJECT_KEYS, WORDS, uid } from './data/generate-sql';

export interface Membership {
  readonly userIndex: number;
  readonly orgIndex: number;
  readonly orgId: string;
  readonly userId: string;
  /** base64url("Organization:<uuid>"), the x-org-id header. */
  readonly orgHeader: string;
}

export interface Catalog {
  readonly profile: DataProfile;
  readonly memberships: readonly Membership[];
  readonly projectKeys: readonly string[];
  /** Who reads the board (W2), and which project: the big project's organization when there is one. */
  readonly board: { readonly memberships: readonly Membership[]; readonly projectKeys: readonly string[] };
  readonly tokens: ReadonlyMap<number, string>;
  readonly words: readonly string[];
  /** The global id of one of the organization's home members. */
  memberGlobalId(orgIndex: number, pick: number): string;
}

export const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

export async function buildCatalog(profile: DataProfile, jwtSecret: string): Promise<Catalog> {
  const users = profile.orgs * profile.usersPerOrg;
  const memberships: Membership[] = [];
  const add = (userIndex: number, orgIndex: number) => {
    const orgId = uid('org', orgIndex);
    memberships.push({ userIndex, orgIndex, orgId, userId: uid('user', userIndex), orgHeader: globalId('Organization', orgId) });
  };
  // Mirrors the memberships insert in generate-sql.ts.
  for (let u = 0; u < users; u++) {
    add(u, u % profile.orgs);
    if (u % 3 === 0) add(u, ((u % profile.orgs) + 1 + (u % 7)) % profile.orgs);
  }
  const secret = new TextEncoder().encode(jwtSecret);
  const tokens = new Map<number, string>();
  const expires = Math.floor(Date.now() / 1000) + 3 * 3600;
  for (let u = 0; u < users; u++) {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(uid('user', u))
      .setIssuer('tracker-api')
      .setAudience('tracker-clients')
      .setIssuedAt()
      .setExpirationTime(expires)
      .sign(secret);
    tokens.set(u, token);
  }
  const projectKeys = PROJECT_KEYS.slice(0, profile.projectsPerOrg);
  return {
    profile,
    memberships,
    projectKeys,
    // The big project is project 0: organization 0's first key (see generate-sql.ts).
    board: profile.bigProjectIssues === undefined ? { memberships, projectKeys } : { memberships: memberships.filter((m) => m.orgIndex === 0), projectKeys: projectKeys.slice(0, 1) },
    tokens,
    words: WORDS,
    memberGlobalId: (orgIndex, pick) => globalId('User', uid('user', orgIndex + profile.orgs * (pick % profile.usersPerOrg))),
  };
}

/** mulberry32: a small seeded PRNG, so every system sees the same request sequence. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

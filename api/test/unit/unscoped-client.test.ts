// The unscoped PrismaClient bypasses the tenant pin: only tenancy/ (which builds every scope)
// and the start-up wiring may hold it. Resolvers, modules and the GraphQL layer reach data
// through a scope (requestScope, userScope, systemScope), and only tenancy/ constructs one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

const SRC = path.join(PROJECT_ROOT, 'api/src');

/** Where the unscoped client may appear, and why. Paths are relative to api/src. */
const MAY_HOLD_THE_CLIENT: Readonly<Record<string, string>> = {
  'tenancy/': 'builds every scope: the one holder of the client for tenant data',
  'db/': 'opens the client and the pool, runs migrations',
  'generated/': "Prisma's generated client",
  'app-services.ts': 'hands the client to Tenancy and the auth services at start-up',
  'server/start.ts': 'start-up wiring: opens the database, flushes the demo seed',
  'jobs/task-registry.ts': 'wires the tasks; gives the one tenant-less sweep its client',
  'auth/session.service.ts': 'sign-up, log-in and refresh run before there is a caller, on tables without a tenant',
  'auth/api-token.service.ts': 'resolves a bearer token before there is a caller',
  'modules/housekeeping/prune-expired.task.ts': 'sweeps failed log-ins and refresh tokens, tables without a tenant',
};

/** Reaching the unscoped client: `.prisma` (not a file name), the PrismaClient type, or `{ prisma } =`. */
const UNSCOPED = /(?<!schema)\.prisma\b(?!['"`/])|\bPrismaClient\b|\{[^}]*\bprisma\b[^}]*\}\s*=/;
/** Building a scope by hand instead of through a Tenancy factory. */
const HAND_BUILT_SCOPE = /\bnew (TenantDb|UserDb|RequestTransaction)\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC).map((file) => path.relative(SRC, file).split(path.sep).join('/'));
const isAllowed = (file: string) => Object.keys(MAY_HOLD_THE_CLIENT).some((allowed) => (allowed.endsWith('/') ? file.startsWith(allowed) : file === allowed));

function offendingLines(file: string, pattern: RegExp): string[] {
  return readFileSync(path.join(SRC, file), 'utf8')
    .split('\n')
    .flatMap((line, index) => (pattern.test(line) && !line.trimStart().startsWith('//') ? [`${file}:${index + 1}: ${line.trim()}`] : []));
}

test('only tenancy/ and the start-up wiring reach the unscoped client', () => {
  expect(files.filter((file) => file.startsWith('modules/')).length).toBeGreaterThan(50);
  const offending = files.filter((file) => !isAllowed(file)).flatMap((file) => offendingLines(file, UNSCOPED));
  expect(offending).toEqual([]);
});

test('the check sees the ways in (it is not vacuous)', () => {
  expect(UNSCOPED.test('const rows = services.database.prisma.issue.findMany()')).toBe(true);
  expect(UNSCOPED.test('constructor(private readonly prisma: PrismaClient) {}')).toBe(true);
  expect(UNSCOPED.test('const { prisma } = services.database;')).toBe(true);
  expect(UNSCOPED.test("import type { Issue } from '../../generated/prisma/client';")).toBe(false);
  expect(UNSCOPED.test("path.join(root, 'prisma', 'schema.prisma')")).toBe(false);
  expect(UNSCOPED.test('No prisma/schema.prisma above here')).toBe(false);
});

test('scopes are built only by the factories in tenancy/', () => {
  const offending = files.filter((file) => !file.startsWith('tenancy/')).flatMap((file) => offendingLines(file, HAND_BUILT_SCOPE));
  expect(offending).toEqual([]);
});

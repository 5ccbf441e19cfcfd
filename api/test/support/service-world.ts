// Integration tests call services directly: a private database, the API's own Prisma client
// (as the non-owner app role, under row-level security), and an organization with one user
// per role. `sql` reads as the owner, to check what really is in the tables.
import { randomBytes } from 'node:crypto';
import { openTestPool } from './test-pool';
import type { Issue, Project, WorkflowState } from '../../src/generated/prisma/client';
import type { Role } from '../../src/generated/prisma/enums';
import { openDatabase, type Database } from '../../src/db/prisma-client';
import type { TenantDb } from '../../src/tenancy/tenant-db';
import { Tenancy } from '../../src/tenancy/tenancy';
import { createOrganization } from '../../src/modules/organization/organization.service';
import { createProject } from '../../src/modules/project/project.service';
import { createIssue, type CreateIssueCommand } from '../../src/modules/issue/issue.service';
import type { TenantScope } from '../../src/tenancy/scope';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface ServiceOrg {
  readonly id: string;
  /** A member of each role, as the scope a request of theirs would get (services take it whole). */
  readonly actors: Readonly<Record<Role, TenantScope>>;
  /** The tenant handle a request of `role` would get (for reads that take a handle alone). */
  db(role?: Role): TenantDb;
}

export interface ServiceWorld {
  readonly database: TestDatabase;
  readonly store: Database;
  readonly tenancy: Tenancy;
  readonly org: ServiceOrg;
  /** Makes another organization (for isolation checks). */
  newOrg(label: string): Promise<ServiceOrg>;
  /** Owner connection: sees every row, whatever the tenant. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

async function makeUser(store: Database, label: string): Promise<string> {
  const user = await store.prisma.user.create({
    data: { email: `${label}-${randomBytes(4).toString('hex')}@example.com`, name: label, passwordHash: 'not-a-real-hash' },
  });
  return user.id;
}

async function makeOrg(store: Database, tenancy: Tenancy, label: string): Promise<ServiceOrg> {
  const ownerId = await makeUser(store, `${label}-owner`);
  const org = await createOrganization(tenancy.userScope({ userId: ownerId }), { name: label, slug: `${label}-${randomBytes(4).toString('hex')}`.toLowerCase() });
  const owner = await tenancy.requestScope({ orgId: org.id, userId: ownerId });
  const actors: Record<Role, TenantScope> = { OWNER: owner } as Record<Role, TenantScope>;
  for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
    const userId = await makeUser(store, `${label}-${role.toLowerCase()}`);
    await owner.db.run((tx) => tx.membership.create({ data: { orgId: org.id, userId, role } }));
    actors[role] = await tenancy.requestScope({ orgId: org.id, userId });
  }
  return { id: org.id, actors, db: (role: Role = 'OWNER') => actors[role].db };
}

export async function openServiceWorld(label: string): Promise<ServiceWorld> {
  const database = await createTestDatabase(label);
  // Waits generous enough for sixty concurrent writers queued on one row and a pool of ten on a
  // loaded machine: these tests are about outcomes; the timeouts have tests of their own.
  const store = openDatabase({ url: database.appUrl, poolMax: 10, acquireTimeoutMs: 60_000, statementTimeoutMs: 30_000 });
  const owner = openTestPool(database.ownerUrl);
  const tenancy = new Tenancy(store.prisma, { acquireTimeoutMs: 60_000, transactionTimeoutMs: 60_000 }, store.pool);
  const org = await makeOrg(store, tenancy, label);
  return {
    database,
    store,
    tenancy,
    org,
    newOrg: (name) => makeOrg(store, tenancy, name),
    sql: async <T>(text: string, params: unknown[] = []) => (await owner.query(text, params)).rows as T[],
    async close() {
      await store.close();
      await owner.end();
      await database.drop();
    },
  };
}

export type ProjectWithStates = Project & { states: WorkflowState[] };

/** A project with the default workflow; `states` in position order. */
export async function makeProject(world: ServiceWorld, key: string, org: ServiceOrg = world.org): Promise<ProjectWithStates> {
  const project = await createProject(org.actors.OWNER, { key, name: `Project ${key}` });
  const states = await org.db().run((tx) => tx.workflowState.findMany({ where: { projectId: project.id }, orderBy: { position: 'asc' } }));
  return { ...project, states };
}

export async function makeIssue(world: ServiceWorld, projectKey: string, extra: Partial<CreateIssueCommand> = {}, org: ServiceOrg = world.org): Promise<Issue> {
  return createIssue(org.actors.MEMBER, { projectKey, title: `Issue in ${projectKey}`, ...extra });
}

/** Runs `fn` and returns the AppError it throws (fails when it does not throw). */
export async function refusalOf(fn: () => Promise<unknown>): Promise<{ code: string; field?: string; message: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    const e = error as { code?: string; field?: string; message: string; details?: Record<string, unknown>; name?: string };
    if (e.name !== 'AppError') throw error;
    return { code: e.code!, field: e.field, message: e.message, details: e.details };
  }
  throw new Error('expected the call to be refused');
}

export function keyOf(projectKey: string, issue: Pick<Issue, 'number'>): string {
  return `${projectKey}-${issue.number}`;
}

// Finding issues by key inside a transaction, optionally locking the row for a write.
import type { Issue, Project } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import { notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { parseIssueKey } from './issue-key';
import { ISSUE_COLUMNS } from './issue-list';

export type IssueWithProject = Issue & { project: Project };

// The issue and its project in one statement (Prisma's include would send two): the project's
// columns come back prefixed and are folded into `project`.
export const PROJECT_COLUMNS = Prisma.sql`p.id AS "p.id", p.org_id AS "p.orgId", p.key AS "p.key", p.name AS "p.name",
  p.description AS "p.description", p.lead_id AS "p.leadId", p.issue_seq AS "p.issueSeq", p.archived_at AS "p.archivedAt",
  p.created_at AS "p.createdAt", p.updated_at AS "p.updatedAt"`;

function withProject(row: Record<string, unknown>): IssueWithProject {
  const issue: Record<string, unknown> = {};
  const project: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column.startsWith('p.')) project[column.slice(2)] = value;
    else issue[column] = value;
  }
  return { ...(issue as Issue), project: project as Project };
}

/**
 * The project id as a subquery of its own (an InitPlan): the issue is then found on its unique
 * (org_id, project_id, number) index however large the project. Joined to projects by key
 * instead, the planner costs the project's issues at one row (see the migration
 * 20261203190000_issue_org_project_statistics) and may walk the rank index to filter numbers.
 */
export function projectByKey(orgId: string, projectKey: string): Prisma.Sql {
  return Prisma.sql`(SELECT pk.id FROM projects pk WHERE pk.org_id = ${orgId}::uuid AND pk.key = ${projectKey})`;
}

// Writers pass `forWrite`: the project's event lock is taken in the WHERE clause, so ahead of
// the statement's row lock and of any later one (the lock order is in the migration that
// defines app_lock_project_events).
async function selectByKey(tx: Tx, orgId: string, key: string, field: string, lock: Prisma.Sql, forWrite: boolean): Promise<IssueWithProject> {
  const { projectKey, number } = parseIssueKey(key, field);
  const eventLock = forWrite ? Prisma.sql`AND app_lock_project_events(p.id)` : Prisma.empty;
  const [row] = await tx.$queryRaw<Record<string, unknown>[]>`
    SELECT ${ISSUE_COLUMNS}, ${PROJECT_COLUMNS}
    FROM issues i JOIN projects p ON p.id = i.project_id AND p.org_id = i.org_id
    WHERE i.org_id = ${orgId}::uuid AND i.project_id = ${projectByKey(orgId, projectKey)} AND i.number = ${number} AND i.deleted_at IS NULL ${eventLock}
    ${lock}`;
  if (!row) throw notFound('Issue', field);
  return withProject(row);
}

/** A live (not deleted) issue by key, or NOT_FOUND naming `field`. */
export function findIssueByKey(tx: Tx, orgId: string, key: string, field = 'key'): Promise<IssueWithProject> {
  return selectByKey(tx, orgId, key, field, Prisma.empty, false);
}

/** Like findIssueByKey, for a change to the issue's project: takes its event lock first. */
export function findIssueForWrite(tx: Tx, orgId: string, key: string, field = 'key'): Promise<IssueWithProject> {
  return selectByKey(tx, orgId, key, field, Prisma.empty, true);
}

/** Like findIssueByKey, holding the row lock until the transaction ends. */
export function lockIssueByKey(tx: Tx, orgId: string, key: string, field = 'key'): Promise<IssueWithProject> {
  return selectByKey(tx, orgId, key, field, Prisma.sql`FOR UPDATE OF i`, true);
}

/**
 * Live issues by key, locked in id order (the order every bulk write takes them in, so two
 * writers over overlapping keys queue instead of deadlocking). Keys that match nothing are
 * simply absent from the answer.
 */
/** Live issues by key, in id order; with `lock`, their rows are locked (in that order). */
export async function selectIssuesByKeys(tx: Tx, orgId: string, keys: readonly { projectKey: string; number: number }[], lock: boolean): Promise<IssueWithProject[]> {
  if (keys.length === 0) return [];
  // ORDER BY runs below the row locks, so rows are locked in id order.
  const rows = await tx.$queryRaw<Record<string, unknown>[]>`
    SELECT ${ISSUE_COLUMNS}, ${PROJECT_COLUMNS}
    FROM issues i JOIN projects p ON p.id = i.project_id AND p.org_id = i.org_id
    WHERE i.org_id = ${orgId}::uuid AND i.deleted_at IS NULL
      AND (p.key, i.number) IN (SELECT * FROM unnest(${keys.map((k) => k.projectKey)}::text[], ${keys.map((k) => k.number)}::int[]))
    ORDER BY i.id
    ${lock ? Prisma.sql`FOR UPDATE OF i` : Prisma.empty}`;
  return rows.map(withProject);
}

/**
 * Serializes writes that order issues within a project (numbers, ranks, sprints, the
 * workflow), the project's event lock first. NO KEY UPDATE, the lock issue creation's
 * `UPDATE projects` takes too: it does not block the KEY SHARE that every foreign key into the
 * project takes (an event or issue written by another transaction), which FOR UPDATE would.
 */
export async function lockProject(tx: Tx, projectId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM projects WHERE id = ${projectId}::uuid AND app_lock_project_events(id) FOR NO KEY UPDATE`;
}

/** The project's event lock alone, for a writer about to lock a row of that project. */
export async function lockProjectEvents(tx: Tx, projectId: string): Promise<void> {
  await tx.$queryRaw`SELECT app_lock_project_events(${projectId}::uuid)`;
}

/** Several projects' event locks, always in project id order (so two writers can't cross). */
export async function lockEventsOf(tx: Tx, projectIds: readonly string[]): Promise<void> {
  const ids = [...new Set(projectIds)].sort();
  await tx.$queryRaw`SELECT app_lock_project_events(id) FROM (SELECT unnest(${ids}::uuid[]) AS id ORDER BY 1) ordered`;
}

export function projectOf(issue: IssueWithProject): Project {
  return issue.project;
}

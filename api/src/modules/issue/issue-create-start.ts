// What createIssue reads before it inserts, in two statements instead of six: the project,
// locked (its event lock, then its row, as the number is taken), and then, in a statement and
// snapshot of its own taken after that lock, the project's initial state, its last rank, the
// assignee if they are a member, and its custom fields (locked). The rows come back whole, so
// the response's project, status and assignee are answered from them (primed into the
// request's loaders) without reading again.
import type { CustomField, Project, WorkflowState } from '../../generated/prisma/client';
import type { Tx } from '../../db/tx';
import type { PublicUser } from '../user/user.loaders';
import { fieldsOfJson, lockedFieldsJsonSql } from '../custom-field/custom-field-value';
import { PROJECT_COLUMNS } from './issue-lookup';

type Row = Record<string, unknown>;

/** The columns of `row` named "<prefix>.<field>", as an object, or null when its id is NULL. */
function part<T>(row: Row, prefix: string): T | null {
  if (row[`${prefix}.id`] === null || row[`${prefix}.id`] === undefined) return null;
  const found: Row = {};
  for (const [column, value] of Object.entries(row)) if (column.startsWith(`${prefix}.`)) found[column.slice(prefix.length + 1)] = value;
  return found as T;
}

/**
 * Takes the project's next issue number: the event lock first (one lock order per project,
 * see issue-lookup.ts), then the row lock of the UPDATE. Null when there is no such project.
 */
export async function lockProjectForCreate(tx: Tx, orgId: string, projectKey: string): Promise<Project | null> {
  const [row] = await tx.$queryRaw<Row[]>`
    UPDATE projects p SET issue_seq = p.issue_seq + 1
    WHERE p.org_id = ${orgId}::uuid AND p.key = ${projectKey} AND app_lock_project_events(p.id)
    RETURNING ${PROJECT_COLUMNS}`;
  return row ? part<Project>(row, 'p') : null;
}

export interface CreateStart {
  /** The project's first state by position; null only for a project without states (a bug). */
  readonly initial: WorkflowState | null;
  /** The highest rank in the project (deleted issues included, as ranks are never reused). */
  readonly lastRank: string | null;
  /** The assignee, only if they are a member of the organization. */
  readonly assignee: PublicUser | null;
  /**
   * The project's custom fields, locked FOR KEY SHARE as lockProjectFields does. Before the
   * issue's insert, not after it as on updates: the lock order is unchanged, since the new row
   * is invisible to every other transaction and the project's locks are already held.
   */
  readonly fields: CustomField[];
}

/** Run after lockProjectForCreate, so its snapshot sees every issue created before the lock. */
export async function readCreateStart(tx: Tx, orgId: string, projectId: string, assigneeId: string | null): Promise<CreateStart> {
  const [row] = await tx.$queryRaw<Row[]>`
    SELECT s.id AS "s.id", s.org_id AS "s.orgId", s.project_id AS "s.projectId", s.name AS "s.name", s.category::text AS "s.category", s.position AS "s.position",
      (SELECT i.rank FROM issues i WHERE i.project_id = ${projectId}::uuid ORDER BY i.rank DESC LIMIT 1) AS "lastRank",
      ${lockedFieldsJsonSql(projectId)} AS fields,
      a.id AS "a.id", a.email AS "a.email", a.name AS "a.name", a.created_at AS "a.createdAt"
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT * FROM workflow_states WHERE project_id = ${projectId}::uuid ORDER BY position LIMIT 1) s ON true
    LEFT JOIN LATERAL (
      SELECT u.* FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.org_id = ${orgId}::uuid AND m.user_id = ${assigneeId}::uuid) a ON true`;
  return {
    initial: part<WorkflowState>(row!, 's'),
    lastRank: (row!.lastRank as string | null) ?? null,
    assignee: part<PublicUser>(row!, 'a'),
    fields: fieldsOfJson(row!.fields),
  };
}

// Listing issues: every IssueFilter field (combined with AND), every order in both
// directions, keyset pagination on (sort key, id), and full-text search ranked by relevance.
// Hand-written SQL because keyset conditions over expressions don't fit Prisma's query API.
import type { Issue } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import { CUSTOM_PLAN } from '../../db/statement-names';
import type { IssueType, Priority, StatusCategory } from '../../generated/prisma/enums';
import type { TenantDb } from '../../tenancy/tenant-db';
import { connectionOfPage, decodeCursor, type ConnectionShape, type PageRequest } from '../../graphql/pagination';
import { parseIssueKey } from './issue-key';
import { AppError, badInput } from '../../errors/app-error';
import { classifyDatabaseError } from '../../errors/database-errors';
import type { IssuePageBatch, IssueRowWithSort } from './issue-page-batch';

export interface IssueListFilter {
  readonly statusIds?: readonly string[] | null;
  readonly statusCategories?: readonly StatusCategory[] | null;
  readonly assigneeIds?: readonly string[] | null;
  readonly unassigned?: boolean | null;
  readonly reporterIds?: readonly string[] | null;
  readonly types?: readonly IssueType[] | null;
  readonly priorities?: readonly Priority[] | null;
  readonly labelIds?: readonly string[] | null;
  readonly sprintId?: string | null;
  readonly parentKey?: string | null;
  readonly text?: string | null;
  readonly createdAfter?: Date | null;
  readonly createdBefore?: Date | null;
  readonly updatedAfter?: Date | null;
  /** Field row id and canonical text (null: matches nothing); all must match. */
  readonly customFields?: readonly { readonly fieldId: string; readonly text: string | null }[] | null;
}

export type IssueSortField = 'CREATED_AT' | 'UPDATED_AT' | 'PRIORITY' | 'RANK' | 'DUE_DATE' | 'NUMBER';

export interface IssueListOrder {
  readonly field: IssueSortField;
  readonly direction: 'ASC' | 'DESC';
}

/**
 * Relations a page's own statement fetches (issue-select-compiler.ts): joined over the page's
 * rows, then handed to the request's loaders by `take`, which returns the issue rows alone.
 */
export interface PageJoins {
  readonly columns: readonly Prisma.Sql[];
  readonly joins: readonly Prisma.Sql[];
  take(rows: Record<string, unknown>[]): IssueRowWithSort[];
}

export interface IssueListScope {
  readonly projectId?: string;
  readonly sprintId?: string;
}

export const ISSUE_COLUMNS = Prisma.sql`i.id, i.org_id AS "orgId", i.project_id AS "projectId", i.number, i.type::text AS type, i.title,
  i.description, i.status_id AS "statusId", i.priority::text AS priority, i.assignee_id AS "assigneeId",
  i.reporter_id AS "reporterId", i.parent_id AS "parentId", i.story_points AS "storyPoints", i.due_date AS "dueDate",
  i.sprint_id AS "sprintId", i.rank, i.version, i.created_at AS "createdAt", i.updated_at AS "updatedAt", i.deleted_at AS "deletedAt"`;

/** How each order is computed and how its cursor value is cast back for comparison. */
const SORTS: Readonly<Record<IssueSortField, { expr: Prisma.Sql; cast: Prisma.Sql }>> = {
  CREATED_AT: { expr: Prisma.sql`i.created_at`, cast: Prisma.sql`timestamptz` },
  UPDATED_AT: { expr: Prisma.sql`i.updated_at`, cast: Prisma.sql`timestamptz` },
  PRIORITY: { expr: Prisma.sql`i.priority`, cast: Prisma.sql`"Priority"` },
  RANK: { expr: Prisma.sql`i.rank`, cast: Prisma.sql`text` },
  // Issues without a due date sort as if due infinitely late.
  DUE_DATE: { expr: Prisma.sql`COALESCE(i.due_date, 'infinity'::timestamptz)`, cast: Prisma.sql`timestamptz` },
  NUMBER: { expr: Prisma.sql`i.number`, cast: Prisma.sql`int` },
};

const EMPTY = Symbol('empty');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cursor is [order, sort key, id]: one made for another order is refused, not misread. */
export function readCursor(page: PageRequest, order: string): [string, string] | null {
  const cursor = decodeCursor(page.cursor, 3, page.cursorField);
  if (!cursor) return null;
  const [tag, value, id] = cursor;
  if (tag !== order || typeof value !== 'string' || typeof id !== 'string' || !UUID.test(id)) {
    throw badInput(page.cursorField, `${page.cursorField} is not a cursor of this list and order`);
  }
  return [value, id];
}

/** SQLSTATE class 22 (data exception): a forged sort key that does not cast to its type. */
function isDataException(error: unknown): boolean {
  return classifyDatabaseError(error).kind === 'invalid-data';
}

function conditions(orgId: string, scope: IssueListScope, filter: IssueListFilter, parentId: string | null | typeof EMPTY): Prisma.Sql[] {
  const where: Prisma.Sql[] = [Prisma.sql`i.org_id = ${orgId}::uuid`, Prisma.sql`i.deleted_at IS NULL`];
  if (scope.projectId) where.push(Prisma.sql`i.project_id = ${scope.projectId}::uuid`);
  if (scope.sprintId) where.push(Prisma.sql`i.sprint_id = ${scope.sprintId}::uuid`);
  if (parentId === EMPTY) where.push(Prisma.sql`false`);
  else if (parentId) where.push(Prisma.sql`i.parent_id = ${parentId}::uuid`);
  if (filter.statusIds) where.push(Prisma.sql`i.status_id = ANY(${[...filter.statusIds]}::uuid[])`);
  if (filter.statusCategories) {
    where.push(Prisma.sql`i.status_id IN (SELECT s.id FROM workflow_states s WHERE s.org_id = ${orgId}::uuid AND s.category = ANY(${[...filter.statusCategories]}::"StatusCategory"[]))`);
  }
  if (filter.assigneeIds) where.push(Prisma.sql`i.assignee_id = ANY(${[...filter.assigneeIds]}::uuid[])`);
  if (filter.unassigned === true) where.push(Prisma.sql`i.assignee_id IS NULL`);
  if (filter.unassigned === false) where.push(Prisma.sql`i.assignee_id IS NOT NULL`);
  if (filter.reporterIds) where.push(Prisma.sql`i.reporter_id = ANY(${[...filter.reporterIds]}::uuid[])`);
  if (filter.types) where.push(Prisma.sql`i.type = ANY(${[...filter.types]}::"IssueType"[])`);
  if (filter.priorities) where.push(Prisma.sql`i.priority = ANY(${[...filter.priorities]}::"Priority"[])`);
  if (filter.labelIds) {
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM issue_labels l WHERE l.issue_id = i.id AND l.label_id = ANY(${[...filter.labelIds]}::uuid[]))`);
  }
  if (filter.sprintId) where.push(Prisma.sql`i.sprint_id = ${filter.sprintId}::uuid`);
  if (filter.text) where.push(Prisma.sql`i.search_vector @@ websearch_to_tsquery('english', ${filter.text})`);
  if (filter.createdAfter) where.push(Prisma.sql`i.created_at > ${filter.createdAfter}`);
  if (filter.createdBefore) where.push(Prisma.sql`i.created_at < ${filter.createdBefore}`);
  if (filter.updatedAfter) where.push(Prisma.sql`i.updated_at > ${filter.updatedAfter}`);
  // A semi-join per field on the (org, field, value, issue) index: never a scan of issues.
  for (const custom of filter.customFields ?? []) {
    if (custom.text === null) where.push(Prisma.sql`false`);
    else {
      where.push(Prisma.sql`i.id IN (SELECT v.issue_id FROM custom_field_values v
        WHERE v.org_id = ${orgId}::uuid AND v.field_id = ${custom.fieldId}::uuid AND v.value = ${custom.text})`);
    }
  }
  return where;
}

async function resolveParent(db: TenantDb, parentKey: string | null | undefined): Promise<string | null | typeof EMPTY> {
  if (!parentKey) return null;
  let parsed;
  try {
    parsed = parseIssueKey(parentKey, 'parentKey');
  } catch (error) {
    if (error instanceof AppError) return EMPTY;
    throw error;
  }
  const parent = await db.read((tx) =>
    tx.issue.findFirst({ where: { orgId: db.orgId, number: parsed.number, deletedAt: null, project: { key: parsed.projectKey } }, select: { id: true } }),
  );
  return parent?.id ?? EMPTY;
}

export async function listIssues(
  db: TenantDb,
  scope: IssueListScope,
  filter: IssueListFilter | null | undefined,
  order: IssueListOrder | null | undefined,
  page: PageRequest,
  batch?: IssuePageBatch,
  joins?: PageJoins,
): Promise<ConnectionShape<Issue>> {
  const f = filter ?? {};
  const text = f.text?.trim() || null;
  const byRelevance = !order && text !== null;
  const sortName = byRelevance ? 'RELEVANCE' : (order?.field ?? 'RANK');
  const cursor = readCursor(page, sortName);
  const sort = byRelevance
    ? { expr: Prisma.sql`ts_rank(i.search_vector, websearch_to_tsquery('english', ${text}))`, cast: Prisma.sql`real` }
    : SORTS[order?.field ?? 'RANK'];
  const expr = sort.expr;
  const descending = byRelevance || (order ? order.direction === 'DESC' : false);
  const parentId = await resolveParent(db, f.parentKey);
  // Backward pages are read against the list's order, nearest the cursor first.
  const fetchDescending = descending !== page.backward;
  const direction = fetchDescending ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const cursorOf = (row: IssueRowWithSort) => [sortName, row.sortKey, row.id];
  const batchedBy = scope.sprintId ? ('sprint_id' as const) : scope.projectId ? ('project_id' as const) : undefined;
  if (batch && batchedBy && !cursor && !page.backward) {
    // A sprint's issues are its project's, so the sprint alone names them.
    const source = batch.sourceFor({ parent: batchedBy, where: conditions(db.orgId, {}, { ...f, text }, parentId), columns: ISSUE_COLUMNS, sortExpr: expr, direction });
    const scopeId = (scope.sprintId ?? scope.projectId)!;
    return connectionOfPage(await source.firstPage(scopeId, page.size + 1), page, cursorOf, () => source.count(scopeId));
  }
  const where = conditions(db.orgId, scope, { ...f, text }, parentId);
  const pageWhere = [...where];
  if (cursor) {
    const [value, id] = cursor;
    const comparison = fetchDescending ? Prisma.sql`<` : Prisma.sql`>`;
    pageWhere.push(Prisma.sql`(${expr}, i.id) ${comparison} (${value}::${sort.cast}, ${id}::uuid)`);
  }
  // One project's or sprint's page: planned for its values (statement-names.ts, CUSTOM_PLAN).
  const plan = scope.projectId || scope.sprintId ? Prisma.raw(CUSTOM_PLAN) : Prisma.empty;
  const pageSql = Prisma.sql`
      SELECT ${plan} ${ISSUE_COLUMNS}, (${expr})::text AS "sortKey"
      FROM issues i
      WHERE ${Prisma.join(pageWhere, ' AND ')}
      ORDER BY ${expr} ${direction}, i.id ${direction}
      LIMIT ${page.size + 1}`;
  // With joins, the page is cut first and only its rows are joined (and ordered again).
  const statement = joins && joins.joins.length > 0
    ? Prisma.sql`
      SELECT ${plan} ${Prisma.join([ISSUE_COLUMNS, Prisma.sql`(${expr})::text AS "sortKey"`, ...joins.columns])}
      FROM (SELECT i.* FROM issues i WHERE ${Prisma.join(pageWhere, ' AND ')} ORDER BY ${expr} ${direction}, i.id ${direction} LIMIT ${page.size + 1}) i
      ${Prisma.join([...joins.joins], '\n')}
      ORDER BY ${expr} ${direction}, i.id ${direction}`
    : pageSql;
  // A forged cursor can make PostgreSQL reject the cast; a savepoint keeps that from breaking
  // the rest of the request's transaction.
  const read = cursor ? db.run((tx) => tx.$queryRaw<Record<string, unknown>[]>(statement)) : db.rows<Record<string, unknown>>(statement);
  const fetched = await read.catch((error: unknown) => {
    throw cursor && isDataException(error) ? badInput(page.cursorField, `${page.cursorField} is not a cursor of this list and order`) : error;
  });
  const rows = joins && joins.joins.length > 0 ? joins.take(fetched) : (fetched as IssueRowWithSort[]);
  return connectionOfPage(rows, page, cursorOf, async () => {
    const [{ count }] = await db.rows<{ count: number }>(Prisma.sql`SELECT count(*)::int AS count FROM issues i WHERE ${Prisma.join(where, ' AND ')}`);
    return count;
  });
}

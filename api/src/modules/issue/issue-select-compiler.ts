// Compiled reads: the root fields the board and the issue view ask most, `project(key) {
// issues }` and `issue(key)`, answered by ONE statement built from the client's selection.
// Single relations (project, status, assignee, reporter) are joins, the labels a LATERAL
// json_agg, the page the same keyset page on (rank, id) with the same cursors as listIssues.
// The rows are primed into the request's loaders (and the page handed to Project.issues), so
// the ordinary field resolvers answer from them: the JSON is the loaders' JSON without their
// statements. Whatever else is selected (comments, children, sprint...) still loads through
// the loaders, so a selection is never refused, only compiled more or less far. Statements run
// on the request's tenant scope: row-level security and the pinned tenant apply as to any read.
import type { GraphQLResolveInfo } from 'graphql';
import { getArgumentValues } from 'graphql';
import type { Issue, Label, Project, WorkflowState } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { Tenant } from '../../graphql/context';
import { connectionOfPage, pageRequest, type ConnectionShape, type PageRequest } from '../../graphql/pagination';
import { prefetchedFields } from '../../graphql/prefetched';
import { responsePath, Selection } from '../../graphql/selection';
import { isAppNotFound } from '../../graphql/global-id';
import { labelLoaders } from '../label/label.loaders';
import { projectLoaders } from '../project/project.loaders';
import { userLoaders, type PublicUser } from '../user/user.loaders';
import { workflowLoaders } from '../workflow/workflow.loaders';
import { CUSTOM_PLAN } from '../../db/statement-names';
import { parseIssueKey } from './issue-key';
import { joinRelations, type JoinedRelations } from './joined-relations';
import { ISSUE_COLUMNS, readCursor, type IssueListOrder, type PageJoins } from './issue-list';
import type { IssueListFilter } from './issue-list';
import { PROJECT_COLUMNS, projectByKey, type IssueWithProject } from './issue-lookup';
import type { IssueRowWithSort } from './issue-page-batch';

/** Which of an issue's relations the selection asks for, each fetched by a join. */
export interface IssueRelations {
  readonly project?: boolean;
  readonly status: boolean;
  readonly assignee: boolean;
  readonly reporter: boolean;
  readonly labels: boolean;
}

export function relationsOf(issue: Selection): IssueRelations {
  return { status: issue.has('status'), assignee: issue.has('assignee'), reporter: issue.has('reporter'), labels: issue.has('labels') };
}

const USER = (alias: string) => Prisma.raw(`${alias}.id AS "${alias}.id", ${alias}.email AS "${alias}.email", ${alias}.name AS "${alias}.name", ${alias}.created_at AS "${alias}.createdAt"`);

/** Columns and joins for the relations, over an issue row aliased `i` (which may be all NULL). */
function relationSql(relations: IssueRelations): { columns: Prisma.Sql[]; joins: Prisma.Sql[] } {
  const columns: Prisma.Sql[] = [];
  const joins: Prisma.Sql[] = [];
  if (relations.project) {
    columns.push(PROJECT_COLUMNS);
    joins.push(Prisma.sql`LEFT JOIN projects p ON p.id = i.project_id AND p.org_id = i.org_id`);
  }
  if (relations.status) {
    columns.push(Prisma.sql`s.id AS "s.id", s.org_id AS "s.orgId", s.project_id AS "s.projectId", s.name AS "s.name", s.category::text AS "s.category", s.position AS "s.position"`);
    joins.push(Prisma.sql`LEFT JOIN workflow_states s ON s.id = i.status_id`);
  }
  if (relations.assignee) {
    columns.push(USER('a'));
    joins.push(Prisma.sql`LEFT JOIN users a ON a.id = i.assignee_id`);
  }
  if (relations.reporter) {
    columns.push(USER('r'));
    joins.push(Prisma.sql`LEFT JOIN users r ON r.id = i.reporter_id`);
  }
  if (relations.labels) {
    // In the labels loader's order (by name, unique within a project).
    columns.push(Prisma.sql`lb.labels AS "labels"`);
    joins.push(Prisma.sql`LEFT JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object('id', l.id, 'orgId', l.org_id, 'projectId', l.project_id, 'name', l.name, 'color', l.color) ORDER BY l.name, l.id), '[]'::json) AS labels
      FROM issue_labels il JOIN labels l ON l.org_id = il.org_id AND l.id = il.label_id
      WHERE il.org_id = i.org_id AND il.issue_id = i.id) lb ON true`);
  }
  return { columns, joins };
}

type Row = Record<string, unknown>;

/** The fragments one per line (Prisma.join refuses an empty list). */
const lines = (fragments: readonly Prisma.Sql[]): Prisma.Sql => (fragments.length === 0 ? Prisma.empty : Prisma.join([...fragments], '\n'));

/** A row cut at the dots: the issue's own columns, and the "<prefix>.<field>" columns by prefix. */
interface SplitRow {
  readonly row: Row;
  readonly own: Row;
  readonly parts: Readonly<Record<string, Row>>;
}

// Column name -> [prefix, field], or null for an own column. The names come from this module's
// SQL, so the map stays as small as that; it saves re-cutting them on every row of every page.
const columnNames = new Map<string, readonly [string, string] | null>();

function cut(column: string): readonly [string, string] | null {
  let known = columnNames.get(column);
  if (known === undefined) {
    const dot = column.indexOf('.');
    known = dot < 0 ? null : [column.slice(0, dot), column.slice(dot + 1)];
    columnNames.set(column, known);
  }
  return known;
}

/** One pass over the row's columns (a board page has some forty per row). */
function split(row: Row, extra: readonly string[]): SplitRow {
  const own: Row = {};
  const parts: Record<string, Row> = {};
  for (const column in row) {
    const named = cut(column);
    if (named === null) {
      if (!extra.includes(column)) own[column] = row[column];
    } else (parts[named[0]] ??= {})[named[1]] = row[column];
  }
  return { row, own, parts };
}

/** The relation under `prefix`, or null when its id is NULL (a LEFT JOIN that found nothing). */
function part(row: SplitRow, prefix: string): Row | null {
  const found = row.parts[prefix];
  return found !== undefined && found.id !== null && found.id !== undefined ? found : null;
}

/**
 * Hands the fetched relations of `issue` to its field resolvers (joinRelations) and to the
 * loaders other fields read. `project`: the issue's project when the statement read it once
 * for the whole page rather than per row.
 */
function prime(tenant: Tenant, relations: IssueRelations, issue: Issue, row: SplitRow, project?: Project): void {
  const found: JoinedRelations = {};
  if (project) found.project = project;
  if (relations.project) {
    found.project = part(row, 'p') as Project | null;
    tenant.loaders(projectLoaders).project.prime(issue.projectId, found.project);
  }
  if (relations.status) {
    found.status = part(row, 's') as WorkflowState | null;
    tenant.loaders(workflowLoaders).state.prime(issue.statusId, found.status);
  }
  if (relations.assignee) {
    found.assignee = issue.assigneeId ? (part(row, 'a') as PublicUser | null) : null;
    if (issue.assigneeId) tenant.loaders(userLoaders).user.prime(issue.assigneeId, found.assignee);
  }
  if (relations.reporter) {
    found.reporter = part(row, 'r') as PublicUser | null;
    tenant.loaders(userLoaders).user.prime(issue.reporterId, found.reporter);
  }
  if (relations.labels) {
    const raw = row.row.labels;
    const labels = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as Label[];
    const ofIssue = labels.map((label) => ({ ...label, issueId: issue.id }));
    found.labels = ofIssue;
    tenant.loaders(labelLoaders).labelsByIssue.prime(issue.id, ofIssue);
  }
  joinRelations(issue, found);
}

/** issue(key): the issue, its project and the selected relations in one statement. */
export async function compiledIssueByKey(tenant: Tenant, key: string, info: GraphQLResolveInfo): Promise<Issue | null> {
  const relations = relationsOf(Selection.of(info));
  const { columns, joins } = relationSql(relations);
  let parsed;
  try {
    parsed = parseIssueKey(key);
  } catch (error) {
    if (isAppNotFound(error)) return null;
    throw error;
  }
  const [row] = await tenant.db.rows<Row>(Prisma.sql`
    SELECT ${Prisma.join([ISSUE_COLUMNS, PROJECT_COLUMNS, ...columns])}
    FROM issues i JOIN projects p ON p.id = i.project_id AND p.org_id = i.org_id
    ${lines(joins)}
    WHERE i.org_id = ${tenant.orgId}::uuid AND i.project_id = ${projectByKey(tenant.orgId, parsed.projectKey)} AND i.number = ${parsed.number} AND i.deleted_at IS NULL`);
  if (!row) return null;
  const cells = split(row, ['labels']);
  const project = part(cells, 'p') as unknown as Project;
  const issue: IssueWithProject = { ...(cells.own as unknown as Issue), project };
  tenant.loaders(projectLoaders).project.prime(issue.projectId, project);
  prime(tenant, relations, issue, cells, project);
  return issue;
}

/** The board page a compiled project read fetched, for Project.issues to take. */
export interface CompiledIssuePage {
  readonly page: PageRequest;
  readonly connection: ConnectionShape<Issue>;
}

/** Project.issues' arguments as the compiler reads them: only the board's default order, forward. */
interface BoardArgs {
  readonly page: PageRequest;
  readonly cursor: [string, string] | null;
}

function isBoardOrder(order: IssueListOrder | null | undefined): boolean {
  return !order || (order.field === 'RANK' && order.direction === 'ASC');
}

/** The page the field's arguments ask, if the compiler answers it (no filter, board order, forward). */
function boardArgs(info: GraphQLResolveInfo, responseKey: string, selection: Selection): BoardArgs | null {
  const nodes = selection.nodes(responseKey);
  const field = info.schema.getType('Project');
  const definition = field && 'getFields' in field ? (field.getFields() as Record<string, Parameters<typeof getArgumentValues>[0]>).issues : undefined;
  if (!definition || nodes.length === 0) return null;
  try {
    const args = getArgumentValues(definition, nodes[0]!, info.variableValues) as { first?: number | null; after?: string | null; last?: number | null; before?: string | null; filter?: unknown; orderBy?: IssueListOrder | null };
    if (args.filter != null || !isBoardOrder(args.orderBy) || args.last != null || args.before != null) return null;
    const page = pageRequest({ first: args.first, after: args.after });
    return { page, cursor: readCursor(page, 'RANK') };
  } catch {
    // Bad paging input: Project.issues refuses it itself, at its own path.
    return null;
  }
}

/**
 * project(key) with `issues` (one response key, board order, forward): the project, its page
 * and the page's relations in one statement. Null when the selection is not one the compiler
 * answers (the resolver then reads the project alone); `found` is the project or null.
 */
export async function compiledProjectBoard(tenant: Tenant, key: string, info: GraphQLResolveInfo): Promise<{ found: Project | null } | null> {
  const project = Selection.of(info);
  const [issuesKey, ...others] = project.responseKeysOf('issues');
  if (issuesKey === undefined || others.length > 0) return null;
  const args = boardArgs(info, issuesKey, project);
  if (!args) return null;
  const connection = project.below('issues');
  const node = connection.below('edges').below('node');
  const relations = relationsOf(node);
  const { columns, joins } = relationSql(relations);
  const counted = connection.has('totalCount');
  const after = args.cursor ? Prisma.sql`AND (i.rank, i.id) > (${args.cursor[0]}::text, ${args.cursor[1]}::uuid)` : Prisma.empty;
  const total = counted
    ? [Prisma.sql`(SELECT count(*)::int FROM issues c WHERE c.org_id = p.org_id AND c.project_id = p.id AND c.deleted_at IS NULL) AS "totalCount"`]
    : [];
  const rows = await tenant.db.rows<Row>(Prisma.sql`
    SELECT ${Prisma.raw(CUSTOM_PLAN)} ${Prisma.join([PROJECT_COLUMNS, ISSUE_COLUMNS, Prisma.sql`(i.rank)::text AS "sortKey"`, ...columns, ...total])}
    FROM projects p
    LEFT JOIN LATERAL (
      SELECT i.* FROM issues i
      WHERE i.org_id = ${tenant.orgId}::uuid AND i.project_id = p.id AND i.deleted_at IS NULL ${after}
      ORDER BY i.rank ASC, i.id ASC
      LIMIT ${args.page.size + 1}) i ON true
    ${lines(joins)}
    WHERE p.org_id = ${tenant.orgId}::uuid AND p.key = ${key}
    ORDER BY i.rank ASC, i.id ASC`);
  const first = rows[0];
  if (!first) return { found: null };
  const cutRows = rows.map((row) => split(row, ['labels', 'totalCount']));
  const found = part(cutRows[0]!, 'p') as unknown as Project;
  tenant.loaders(projectLoaders).project.prime(found.id, found);
  const issues: IssueRowWithSort[] = [];
  for (const cells of cutRows) {
    if (cells.row.id === null) continue;
    const issue = cells.own as unknown as IssueRowWithSort;
    prime(tenant, relations, issue, cells, found);
    issues.push(issue);
  }
  const totalCount = first.totalCount as number | undefined;
  const count = async () => totalCount ?? (await countIssues(tenant, found.id));
  const answer: CompiledIssuePage = { page: args.page, connection: connectionOfPage(issues, args.page, (row) => ['RANK', row.sortKey, row.id], count) };
  tenant.loaders(prefetchedFields).put(found, `${responsePath(info.path)}.${issuesKey}`, answer);
  return { found };
}

async function countIssues(tenant: Tenant, projectId: string): Promise<number> {
  const [{ count }] = await tenant.db.rows<{ count: number }>(Prisma.sql`
    SELECT count(*)::int AS count FROM issues i WHERE i.org_id = ${tenant.orgId}::uuid AND i.project_id = ${projectId}::uuid AND i.deleted_at IS NULL`);
  return count;
}

/**
 * For a list of issues read by listIssues (the organization's search, a board page the
 * compiled project read did not answer): the relations its nodes select, joined over the page.
 */
export function issuePageJoins(tenant: Tenant, info: GraphQLResolveInfo): PageJoins {
  const node = Selection.of(info).below('edges').below('node');
  const relations = { ...relationsOf(node), project: node.has('key') || node.has('project') };
  const { columns, joins } = relationSql(relations);
  return {
    columns,
    joins,
    take: (rows) => rows.map((row) => {
      const cells = split(row, ['labels']);
      const issue = cells.own as unknown as IssueRowWithSort;
      prime(tenant, relations, issue, cells);
      return issue;
    }),
  };
}

/** The compiled page for Project.issues, if one was fetched for exactly these arguments. */
export function takeCompiledPage(tenant: Tenant, project: Project, info: GraphQLResolveInfo, page: PageRequest, filter: IssueListFilter | null, order: IssueListOrder | null | undefined): ConnectionShape<Issue> | undefined {
  if (filter || !isBoardOrder(order)) return undefined;
  const answer = tenant.loaders(prefetchedFields).take<CompiledIssuePage>(project, info, (fetched) =>
    fetched.page.backward === page.backward && fetched.page.size === page.size && fetched.page.cursor === page.cursor);
  return answer?.connection;
}

// First pages of issues for many projects (or sprints) at once: a list of projects that each
// ask for `issues` costs one statement per distinct (filter, order, page size), not one per
// project. Each parent's page is a LATERAL subquery, an index-ordered scan cut at the page
// size, so one large project costs what it costs alone. Pages after a cursor are rare in such
// lists and go through listIssues alone.
import DataLoader from 'dataloader';
import type { Issue } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { TenantDb } from '../../db/tenant-db';

export type BatchParent = 'project_id' | 'sprint_id';

/** One page's question, the same for every parent in a batch. */
export interface PagePlan {
  readonly parent: BatchParent;
  /** Conditions without the parent's own. */
  readonly where: readonly Prisma.Sql[];
  readonly columns: Prisma.Sql;
  readonly sortExpr: Prisma.Sql;
  readonly direction: Prisma.Sql;
  readonly take: number;
}

export type IssueRowWithSort = Issue & { sortKey: string };

const PARENTS: Readonly<Record<BatchParent, Prisma.Sql>> = { project_id: Prisma.sql`i.project_id`, sprint_id: Prisma.sql`i.sprint_id` };

function signature(plan: PagePlan): string {
  const where = Prisma.join([...plan.where], ' AND ');
  return JSON.stringify([plan.parent, where.sql, where.values, plan.sortExpr.sql, plan.sortExpr.values, plan.direction.sql, plan.take]);
}

export class IssuePageBatch {
  private readonly pages = new Map<string, DataLoader<string, IssueRowWithSort[]>>();
  private readonly counts = new Map<string, DataLoader<string, number>>();

  constructor(private readonly db: TenantDb) {}

  firstPage(plan: PagePlan, parentId: string): Promise<IssueRowWithSort[]> {
    const key = signature(plan);
    let loader = this.pages.get(key);
    if (!loader) {
      loader = new DataLoader((ids) => this.fetchPages(plan, ids));
      this.pages.set(key, loader);
    }
    return loader.load(parentId);
  }

  count(plan: PagePlan, parentId: string): Promise<number> {
    const key = signature({ ...plan, take: 0 });
    let loader = this.counts.get(key);
    if (!loader) {
      loader = new DataLoader((ids) => this.fetchCounts(plan, ids));
      this.counts.set(key, loader);
    }
    return loader.load(parentId);
  }

  private async fetchPages(plan: PagePlan, ids: readonly string[]): Promise<IssueRowWithSort[][]> {
    const parent = PARENTS[plan.parent];
    const where = Prisma.join([...plan.where, Prisma.sql`${parent} = parents.batch_parent_id`], ' AND ');
    const order = Prisma.sql`${plan.sortExpr} ${plan.direction}, i.id ${plan.direction}`;
    const rows = await this.db.read((tx) =>
      tx.$queryRaw<(IssueRowWithSort & { place: bigint })[]>`
        SELECT page.* FROM unnest(${[...ids]}::uuid[]) WITH ORDINALITY AS parents(batch_parent_id, n)
        CROSS JOIN LATERAL (
          SELECT ${plan.columns}, (${plan.sortExpr})::text AS "sortKey", row_number() OVER (ORDER BY ${order}) AS place
          FROM issues i WHERE ${where}
          ORDER BY ${order} LIMIT ${plan.take}) page
        ORDER BY parents.n, page.place`,
    );
    const parentOf = (issue: IssueRowWithSort) => (plan.parent === 'sprint_id' ? issue.sprintId! : issue.projectId);
    const byParent = new Map<string, IssueRowWithSort[]>(ids.map((id) => [id, []]));
    for (const { place: _place, ...issue } of rows) byParent.get(parentOf(issue as IssueRowWithSort))?.push(issue as IssueRowWithSort);
    return ids.map((id) => byParent.get(id) ?? []);
  }

  private async fetchCounts(plan: PagePlan, ids: readonly string[]): Promise<number[]> {
    const parent = PARENTS[plan.parent];
    const where = Prisma.join([...plan.where, Prisma.sql`${parent} = ANY(${[...ids]}::uuid[])`], ' AND ');
    const rows = await this.db.read((tx) => tx.$queryRaw<{ parent: string; count: number }[]>`SELECT ${parent} AS parent, count(*)::int AS count FROM issues i WHERE ${where} GROUP BY 1`);
    const counts = new Map(rows.map((row) => [row.parent, row.count]));
    return ids.map((id) => counts.get(id) ?? 0);
  }
}

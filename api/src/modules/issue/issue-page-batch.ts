// First pages of issues for many projects (or sprints) at once: a list of projects that each
// ask for `issues` costs one statement per distinct (filter, order, page size), not one per
// project. Each parent's page is a LATERAL subquery (db/first-rows.ts), an index-ordered scan
// cut at the page size, so one large project costs what it costs alone. Pages after a cursor
// are rare in such lists and go through listIssues alone.
import type { Issue } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { countRowsPerParent, firstRowsPerParent, type FirstRowsQuery } from '../../db/first-rows';
import { countLoader, firstPageLoader, firstPageSource } from '../../graphql/batch-loader';
import type { FirstPageSource } from '../../graphql/pagination';

export type BatchParent = 'project_id' | 'sprint_id';

/** One list's question, the same for every parent in a batch. */
export interface PagePlan {
  readonly parent: BatchParent;
  /** Conditions without the parent's own. */
  readonly where: readonly Prisma.Sql[];
  readonly columns: Prisma.Sql;
  readonly sortExpr: Prisma.Sql;
  readonly direction: Prisma.Sql;
}

export type IssueRowWithSort = Issue & { sortKey: string };

const PARENTS: Readonly<Record<BatchParent, Prisma.Sql>> = { project_id: Prisma.sql`i.project_id`, sprint_id: Prisma.sql`i.sprint_id` };

function signature(plan: PagePlan): string {
  const where = Prisma.join([...plan.where], ' AND ');
  return JSON.stringify([plan.parent, where.sql, where.values, plan.sortExpr.sql, plan.sortExpr.values, plan.direction.sql]);
}

function firstRowsQuery(plan: PagePlan): FirstRowsQuery {
  return {
    from: Prisma.sql`issues i`,
    parent: PARENTS[plan.parent],
    where: plan.where,
    order: Prisma.sql`${plan.sortExpr} ${plan.direction}, i.id ${plan.direction}`,
    columns: Prisma.sql`${plan.columns}, (${plan.sortExpr})::text AS "sortKey"`,
  };
}

export class IssuePageBatch {
  private readonly sources = new Map<string, FirstPageSource<IssueRowWithSort>>();

  constructor(private readonly db: TenantDb) {}

  /** The loaders shared by every parent that asks `plan`'s question in this request. */
  sourceFor(plan: PagePlan): FirstPageSource<IssueRowWithSort> {
    const key = signature(plan);
    let source = this.sources.get(key);
    if (!source) {
      const query = firstRowsQuery(plan);
      const parentOf = (issue: IssueRowWithSort) => (plan.parent === 'sprint_id' ? issue.sprintId! : issue.projectId);
      source = firstPageSource(
        firstPageLoader(this.db, (tx, ids, take) => firstRowsPerParent<IssueRowWithSort>(tx, query, ids, take), parentOf),
        countLoader(this.db, (tx, ids) => countRowsPerParent(tx, query, ids)),
      );
      this.sources.set(key, source);
    }
    return source;
  }
}

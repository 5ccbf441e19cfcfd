// Issues by id, by parent and by project or sprint, and their watchers, batched per request.
import type { Issue } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { groupLoader, rowLoader } from '../../graphql/batch-loader';
import { IssuePageBatch } from './issue-page-batch';

export const issueLoaders = (db: TenantDb) => ({
  /** Live issues only: a deleted parent reads as none. */
  issue: rowLoader<string, Issue>(db, (tx, keys) => tx.issue.findMany({ where: { id: { in: [...keys] }, deletedAt: null } }), (i) => i.id),
  childrenByIssue: groupLoader<string, Issue>(
    db,
    (tx, keys) => tx.issue.findMany({ where: { parentId: { in: [...keys] }, deletedAt: null }, orderBy: { rank: 'asc' } }),
    (i) => i.parentId!,
  ),
  watcherIdsByIssue: groupLoader<string, { issueId: string; userId: string }>(
    db,
    (tx, keys) => tx.issueWatcher.findMany({ where: { issueId: { in: [...keys] } }, orderBy: { createdAt: 'asc' }, select: { issueId: true, userId: true } }),
    (w) => w.issueId,
  ),
  /** First pages of issues for lists of projects or sprints. */
  issuePages: new IssuePageBatch(db),
});

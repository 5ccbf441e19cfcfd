// Board order: rankIssue places one issue after or before a neighbour and writes only it.
import type { Issue } from '../../generated/prisma/client';
import { badInput } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { assertWritable } from '../project/project-writable';
import { recordEvents } from '../history/history.service';
import { findIssueByKey, lockIssueByKey, lockProject } from './issue-lookup';
import { rankBetween } from './rank';
import type { TenantScope } from '../../tenancy/scope';

async function neighbourRank(tx: Tx, projectId: string, movingId: string, rank: string, side: 'above' | 'below'): Promise<string | null> {
  const row = await tx.issue.findFirst({
    where: { projectId, id: { not: movingId }, rank: side === 'below' ? { gt: rank } : { lt: rank } },
    orderBy: { rank: side === 'below' ? 'asc' : 'desc' },
    select: { rank: true },
  });
  return row?.rank ?? null;
}

export async function rankIssue(scope: TenantScope, key: string, afterKey: string | null | undefined, beforeKey: string | null | undefined): Promise<Issue> {
  requireRole(scope, 'issue:write');
  if (!afterKey && !beforeKey) throw badInput('afterKey', 'Give afterKey, beforeKey or both');
  return scope.db.run(async (tx) => {
    // One ranking at a time per project, so two moves never compute the same rank. The
    // project is locked before the issue, in the same order as createIssue takes them.
    const found = await findIssueByKey(tx, scope.orgId, key);
    await lockProject(tx, found.projectId);
    const issue = await lockIssueByKey(tx, scope.orgId, key);
    assertWritable(issue.project);
    const after = afterKey ? await findIssueByKey(tx, scope.orgId, afterKey, 'afterKey') : null;
    const before = beforeKey ? await findIssueByKey(tx, scope.orgId, beforeKey, 'beforeKey') : null;
    for (const [neighbour, field] of [[after, 'afterKey'], [before, 'beforeKey']] as const) {
      if (neighbour && neighbour.projectId !== issue.projectId) throw badInput(field, 'Issues can only be ranked within one project');
      if (neighbour && neighbour.id === issue.id) throw badInput(field, 'An issue cannot be ranked relative to itself');
    }
    if (after && before && !(after.rank < before.rank)) throw badInput('beforeKey', 'afterKey must be ranked above beforeKey');
    // Go right next to the named neighbour: with both named, other issues may already sit
    // between them, and the midpoint of the two could equal one of their ranks.
    const low = after ? after.rank : await neighbourRank(tx, issue.projectId, issue.id, before!.rank, 'above');
    const high = after ? await neighbourRank(tx, issue.projectId, issue.id, after.rank, 'below') : before!.rank;
    const rank = rankBetween(low, high);
    const updated = await tx.issue.update({ where: { id: issue.id }, data: { rank, version: { increment: 1 } } });
    await recordEvents(tx, scope.orgId, scope.userId, [
      { issueId: issue.id, projectId: issue.projectId, kind: 'RANKED', field: 'rank', from: issue.rank, to: rank },
    ]);
    return updated;
  });
}

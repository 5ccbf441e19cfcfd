// Links between issues of one organization (across its projects): BLOCKS, RELATES_TO,
// DUPLICATES. Each link is one row; both ends see it, with `outward` telling the direction.
import type { IssueLink } from '../../generated/prisma/client';
import type { IssueLinkType } from '../../generated/prisma/enums';
import { AppError, badInput, notFound } from '../../errors/app-error';
import { isRetryableConflict } from '../../errors/database-errors';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { assertWritable } from '../project/project-writable';
import { recordEvents } from '../history/history.service';
import { findIssueByKey, lockEventsOf } from '../issue/issue-lookup';
import type { TenantScope } from '../../tenancy/scope';

/** A link from the point of view of one of its issues. */
export interface LinkView {
  readonly id: string;
  readonly type: IssueLinkType;
  readonly outward: boolean;
  /** The issue at the other end. */
  readonly otherIssueId: string;
}

export function viewFrom(link: IssueLink, issueId: string): LinkView {
  const outward = link.fromIssueId === issueId;
  return { id: link.id, type: link.type, outward, otherIssueId: outward ? link.toIssueId : link.fromIssueId };
}

export async function linkIssues(scope: TenantScope, fromKey: string, toKey: string, type: IssueLinkType): Promise<LinkView> {
  requireRole(scope, 'issue:write');
  try {
    return await scope.db.run(async (tx) => {
      const from = await findIssueByKey(tx, scope.orgId, fromKey, 'fromKey');
      const to = await findIssueByKey(tx, scope.orgId, toKey, 'toKey');
      if (from.id === to.id) throw badInput('toKey', 'An issue cannot be linked to itself');
      // Both projects' event locks before any row lock, in one order whichever way the link points.
      await lockEventsOf(tx, [from.projectId, to.projectId]);
      assertWritable(from.project);
      assertWritable(to.project);
      const link = await tx.issueLink.create({ data: { orgId: scope.orgId, fromIssueId: from.id, toIssueId: to.id, type } });
      const detail = { linkId: toGlobalId('IssueLink', link.id), type, from: fromKey, to: toKey };
      await recordEvents(tx, scope.orgId, scope.userId, [
        { issueId: from.id, projectId: from.projectId, kind: 'LINKED', to: detail },
        { issueId: to.id, projectId: to.projectId, kind: 'LINKED', to: detail },
      ]);
      return viewFrom(link, from.id);
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT' && !isRetryableConflict(error)) throw new AppError('CONFLICT', `${fromKey} already ${type} ${toKey}`, { field: 'toKey' });
    throw error;
  }
}

export async function unlinkIssues(scope: TenantScope, linkId: string): Promise<boolean> {
  requireRole(scope, 'issue:write');
  return scope.db.run(async (tx) => {
    const link = await tx.issueLink.findFirst({
      where: { id: linkId, from: { deletedAt: null }, to: { deletedAt: null } },
      include: { from: { include: { project: true } }, to: { include: { project: true } } },
    });
    if (!link) throw notFound('IssueLink', 'linkId');
    assertWritable(link.from.project);
    assertWritable(link.to.project);
    await lockEventsOf(tx, [link.from.projectId, link.to.projectId]);
    await tx.issueLink.delete({ where: { id: link.id } });
    const detail = { linkId: toGlobalId('IssueLink', link.id), type: link.type };
    await recordEvents(tx, scope.orgId, scope.userId, [
      { issueId: link.fromIssueId, projectId: link.from.projectId, kind: 'UNLINKED', from: detail },
      { issueId: link.toIssueId, projectId: link.to.projectId, kind: 'UNLINKED', from: detail },
    ]);
    return true;
  });
}

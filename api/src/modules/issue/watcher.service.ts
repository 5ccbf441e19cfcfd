// Watching issues: a caller adds or removes only themselves. Watching does not change the
// issue (no version bump, no history), so any member, VIEWER included, may watch; an
// archived project is read-only for watchers too.
import type { Issue } from '../../generated/prisma/client';
import { requireRole } from '../../auth/roles';
import { assertWritable } from '../project/project-writable';
import { findIssueForWrite } from './issue-lookup';
import type { TenantScope } from '../../tenancy/scope';

export async function watchIssue(scope: TenantScope, key: string): Promise<Issue> {
  requireRole(scope, 'read');
  return scope.db.run(async (tx) => {
    const issue = await findIssueForWrite(tx, scope.orgId, key);
    assertWritable(issue.project);
    await tx.issueWatcher.createMany({ data: [{ orgId: scope.orgId, issueId: issue.id, userId: scope.userId }], skipDuplicates: true });
    return issue;
  });
}

export async function unwatchIssue(scope: TenantScope, key: string): Promise<Issue> {
  requireRole(scope, 'read');
  return scope.db.run(async (tx) => {
    const issue = await findIssueForWrite(tx, scope.orgId, key);
    assertWritable(issue.project);
    await tx.issueWatcher.deleteMany({ where: { issueId: issue.id, userId: scope.userId } });
    return issue;
  });
}

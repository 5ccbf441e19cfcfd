// Watching issues: a caller adds or removes only themselves. Watching does not change the
// issue (no version bump, no history), so any member, VIEWER included, may watch; an
// archived project is read-only for watchers too.
import type { Issue } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { requireRole } from '../../auth/roles';
import { assertWritable } from '../project/project.service';
import type { Actor } from '../organization/organization.service';
import { findIssueForWrite } from './issue-lookup';

export async function watchIssue(actor: Actor, db: TenantDb, key: string): Promise<Issue> {
  requireRole(actor, 'read');
  return db.run(async (tx) => {
    const issue = await findIssueForWrite(tx, actor.orgId, key);
    assertWritable(issue.project);
    await tx.issueWatcher.createMany({ data: [{ orgId: actor.orgId, issueId: issue.id, userId: actor.userId }], skipDuplicates: true });
    return issue;
  });
}

export async function unwatchIssue(actor: Actor, db: TenantDb, key: string): Promise<Issue> {
  requireRole(actor, 'read');
  return db.run(async (tx) => {
    const issue = await findIssueForWrite(tx, actor.orgId, key);
    assertWritable(issue.project);
    await tx.issueWatcher.deleteMany({ where: { issueId: issue.id, userId: actor.userId } });
    return issue;
  });
}

// What a member leaves behind in an organization: their open assignments go back to
// unassigned (each a recorded change, like any other), the projects they led lose their lead,
// and their watches end. Runs before the membership row goes, so the change is still made by
// members only (the database refuses references to non-members).
import type { Tx } from '../../db/tx';
import { toGlobalId } from '../../graphql/global-id';
import { recordEvents } from '../history/history.service';

export async function releaseDepartingMember(tx: Tx, orgId: string, actorId: string, userId: string): Promise<void> {
  // The event locks of the projects concerned before their issue rows, in project id order
  // (the lock order of issue-lookup.ts).
  await tx.$queryRaw`
    SELECT app_lock_project_events(id) FROM (
      SELECT DISTINCT project_id AS id FROM issues WHERE org_id = ${orgId}::uuid AND assignee_id = ${userId}::uuid ORDER BY 1) ordered`;
  const unassigned = await tx.$queryRaw<{ id: string; projectId: string }[]>`
    UPDATE issues SET assignee_id = NULL, version = version + 1, updated_at = now()
    WHERE org_id = ${orgId}::uuid AND assignee_id = ${userId}::uuid
    RETURNING id, project_id AS "projectId"`;
  const from = toGlobalId('User', userId);
  await recordEvents(tx, orgId, actorId, unassigned.map((issue) => ({ issueId: issue.id, projectId: issue.projectId, kind: 'UPDATED' as const, field: 'assignee', from, to: null })));
  await tx.project.updateMany({ where: { orgId, leadId: userId }, data: { leadId: null } });
  await tx.issueWatcher.deleteMany({ where: { orgId, userId } });
}

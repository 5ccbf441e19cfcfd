// Moving an issue through its project's workflow, only along allowed transitions.
import type { Issue, WorkflowState } from '../../generated/prisma/client';
import { badInput, notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { assertWritable } from '../project/project-writable';
import { recordEvents } from '../history/history.service';
import { lockIssueByKey } from './issue-lookup';
import { assertExpectedVersion } from './issue.service';
import type { Actor, TenantScope } from '../../tenancy/scope';

export async function transitionIssue(scope: TenantScope, key: string, toStateId: string, expectedVersion?: number | null): Promise<Issue> {
  requireRole(scope, 'issue:write');
  return scope.db.run(async (tx) => {
    // The issue lookup takes the project's event lock first, as deleteWorkflowState does, so the
    // two never interleave; KEY SHARE then keeps the target from going away until this commits.
    const issue = await lockIssueByKey(tx, scope.orgId, key);
    assertWritable(issue.project);
    assertExpectedVersion(issue, expectedVersion);
    const target = await lockTargetState(tx, toStateId);
    if (!target || target.projectId !== issue.projectId) throw notFound('WorkflowState', 'toStateId');
    return applyTransition(tx, scope, issue, target, key);
  });
}

export type TransitionTarget = Pick<WorkflowState, 'id' | 'name' | 'category' | 'projectId'>;

/** The target state of a transition, locked FOR KEY SHARE (taken before any issue lock). */
export async function lockTargetState(tx: Tx, stateId: string): Promise<TransitionTarget | undefined> {
  const [target] = await tx.$queryRaw<TransitionTarget[]>`
    SELECT id, name, category, project_id AS "projectId" FROM workflow_states WHERE id = ${stateId}::uuid FOR KEY SHARE`;
  return target;
}

/**
 * Moves a locked issue of the target's project along an allowed transition (BAD_USER_INPUT
 * on toStateId otherwise), with its version bump and history. Shared with transitionIssues.
 */
export async function applyTransition(tx: Tx, actor: Actor, issue: Issue, target: TransitionTarget, key: string): Promise<Issue> {
  const allowed = await tx.workflowTransition.findMany({
    where: { fromStateId: issue.statusId },
    include: { to: true, from: true },
    orderBy: { to: { position: 'asc' } },
  });
  if (!allowed.some((transition) => transition.toStateId === target.id)) {
    const from = allowed[0]?.from.name ?? 'its current state';
    const names = allowed.map((transition) => transition.to.name);
    throw badInput('toStateId', `Cannot move ${key} from ${from} to ${target.name}; allowed: ${names.join(', ') || 'none'}`);
  }
  const from = await tx.workflowState.findUniqueOrThrow({ where: { id: issue.statusId } });
  const updated = await tx.issue.update({ where: { id: issue.id }, data: { statusId: target.id, version: { increment: 1 } } });
  await recordEvents(tx, actor.orgId, actor.userId, [
    {
      issueId: issue.id,
      projectId: issue.projectId,
      kind: 'TRANSITIONED',
      field: 'status',
      from: { id: toGlobalId('WorkflowState', from.id), name: from.name, category: from.category },
      to: { id: toGlobalId('WorkflowState', target.id), name: target.name, category: target.category },
    },
  ]);
  return updated;
}

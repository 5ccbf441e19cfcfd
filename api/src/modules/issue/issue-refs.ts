// Resolves and checks what an issue refers to: every reference must be in the same
// organization (and project, where it applies), or it is not found.
import type { Issue, Sprint } from '../../generated/prisma/client';
import { badInput, notFound } from '../../errors/app-error';
import type { Tx } from '../../tenancy/tx';
import { assertMember } from '../organization/membership-check';
import { findIssueByKey } from './issue-lookup';

export async function checkLabels(tx: Tx, projectId: string, labelIds: readonly string[]): Promise<string[]> {
  const unique = [...new Set(labelIds)];
  if (unique.length === 0) return [];
  const found = await tx.label.count({ where: { id: { in: unique }, projectId } });
  if (found !== unique.length) throw notFound('Label', 'labelIds');
  return unique;
}

export async function checkSprint(tx: Tx, projectId: string, sprintId: string): Promise<Sprint> {
  const sprint = await tx.sprint.findFirst({ where: { id: sprintId, projectId } });
  if (!sprint) throw notFound('Sprint', 'sprintId');
  if (sprint.state === 'CLOSED') throw badInput('sprintId', `Sprint ${sprint.name} is closed`);
  return sprint;
}

export async function checkAssignee(tx: Tx, orgId: string, userId: string): Promise<void> {
  await assertMember(tx, orgId, userId, 'assigneeId');
}

export async function findParent(tx: Tx, orgId: string, parentKey: string): Promise<Issue> {
  return findIssueByKey(tx, orgId, parentKey, 'parentKey');
}

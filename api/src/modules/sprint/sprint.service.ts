// Sprints: PLANNED → ACTIVE → CLOSED, at most one ACTIVE per project. Completing a sprint
// moves its unfinished issues to another sprint or back to the backlog, with history.
import type { Sprint } from '../../generated/prisma/client';
import { AppError, badInput, notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { findProjectByKey } from '../project/project.service';
import { assertWritable } from '../project/project-writable';
import { recordEvents } from '../history/history.service';
import { lockProject, lockProjectEvents } from '../issue/issue-lookup';
import { checkDate } from '../issue/issue-validation';
import { recordAudit } from '../audit/audit.service';
import type { Actor, TenantScope } from '../../tenancy/scope';

async function findSprint(tx: Tx, id: string, field = 'id') {
  const sprint = await tx.sprint.findFirst({ where: { id }, include: { project: true } });
  if (!sprint) throw notFound('Sprint', field);
  return sprint;
}

function cleanName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 100) throw badInput('name', 'Sprint name must be 1 to 100 characters long');
  return name;
}

function checkGoal(goal: string | null | undefined): void {
  if (goal && goal.length > 1000) throw badInput('goal', 'Goal must be at most 1000 characters');
}

function checkDates(startDate: Date | null | undefined, endDate: Date | null | undefined): void {
  checkDate('startDate', startDate);
  checkDate('endDate', endDate);
  if (startDate && endDate && endDate <= startDate) throw badInput('endDate', 'endDate must be after startDate');
}

/** Moves a sprint's issues (live ones; the done ones too when `onlyOpen` is false) to `target` or the backlog, with history. */
async function moveIssuesOut(tx: Tx, actor: Actor, sprint: { id: string; projectId: string }, target: Sprint | null, onlyOpen: boolean): Promise<void> {
  const moving = await tx.issue.findMany({
    where: { sprintId: sprint.id, deletedAt: null, ...(onlyOpen ? { status: { category: { not: 'DONE' } } } : {}) },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  if (moving.length === 0) return;
  await lockProjectEvents(tx, sprint.projectId);
  await tx.issue.updateMany({ where: { id: { in: moving.map((i) => i.id) } }, data: { sprintId: target?.id ?? null, version: { increment: 1 }, updatedAt: new Date() } });
  await recordEvents(
    tx,
    actor.orgId,
    actor.userId,
    moving.map((issue) => ({
      issueId: issue.id,
      projectId: sprint.projectId,
      kind: 'UPDATED' as const,
      field: 'sprint',
      from: toGlobalId('Sprint', sprint.id),
      to: target ? toGlobalId('Sprint', target.id) : null,
    })),
  );
}

export async function createSprint(
  scope: TenantScope,
  input: { projectKey: string; name: string; goal?: string | null; startDate?: Date | null; endDate?: Date | null },
): Promise<Sprint> {
  requireRole(scope, 'sprint:manage');
  const name = cleanName(input.name);
  checkGoal(input.goal);
  checkDates(input.startDate, input.endDate);
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, input.projectKey);
    assertWritable(project);
    return tx.sprint.create({
      data: { orgId: scope.orgId, projectId: project.id, name, goal: input.goal ?? null, startDate: input.startDate ?? null, endDate: input.endDate ?? null },
    });
  });
}

export async function startSprint(scope: TenantScope, id: string): Promise<Sprint> {
  requireRole(scope, 'sprint:manage');
  return scope.db.run(async (tx) => {
    const sprint = await findSprint(tx, id);
    assertWritable(sprint.project);
    if (sprint.state !== 'PLANNED') throw badInput('id', `Sprint ${sprint.name} is ${sprint.state}; only a PLANNED sprint can start`);
    await lockProject(tx, sprint.projectId);
    const active = await tx.sprint.findFirst({ where: { projectId: sprint.projectId, state: 'ACTIVE' } });
    if (active) throw new AppError('CONFLICT', `Sprint ${active.name} is already active in ${sprint.project.key}; complete it first`, { field: 'id' });
    return tx.sprint.update({ where: { id }, data: { state: 'ACTIVE', startDate: sprint.startDate ?? new Date() } });
  });
}

export async function completeSprint(scope: TenantScope, id: string, moveToSprintId: string | null | undefined): Promise<Sprint> {
  requireRole(scope, 'sprint:manage');
  return scope.db.run(async (tx) => {
    const sprint = await findSprint(tx, id);
    assertWritable(sprint.project);
    if (sprint.state !== 'ACTIVE') throw badInput('id', `Sprint ${sprint.name} is ${sprint.state}; only an ACTIVE sprint can complete`);
    let target: Sprint | null = null;
    if (moveToSprintId) {
      target = await findSprint(tx, moveToSprintId, 'moveOpenIssuesToSprintId');
      if (target.projectId !== sprint.projectId) throw notFound('Sprint', 'moveOpenIssuesToSprintId');
      if (target.id === sprint.id || target.state === 'CLOSED') throw badInput('moveOpenIssuesToSprintId', 'Open issues can only move to another sprint that is not closed');
    }
    await moveIssuesOut(tx, scope, sprint, target, true);
    return tx.sprint.update({ where: { id }, data: { state: 'CLOSED', endDate: sprint.endDate ?? new Date() } });
  });
}

export async function updateSprint(
  scope: TenantScope,
  id: string,
  input: { name?: string | null; goal?: string | null; startDate?: Date | null; endDate?: Date | null },
): Promise<Sprint> {
  requireRole(scope, 'sprint:manage');
  const name = input.name == null ? undefined : cleanName(input.name);
  checkGoal(input.goal);
  return scope.db.run(async (tx) => {
    const sprint = await findSprint(tx, id);
    assertWritable(sprint.project);
    const startDate = input.startDate !== undefined ? input.startDate : sprint.startDate;
    const endDate = input.endDate !== undefined ? input.endDate : sprint.endDate;
    checkDates(startDate, endDate);
    return tx.sprint.update({
      where: { id },
      data: {
        ...(name !== undefined ? { name } : {}),
        ...(input.goal !== undefined ? { goal: input.goal } : {}),
        ...(input.startDate !== undefined ? { startDate: input.startDate } : {}),
        ...(input.endDate !== undefined ? { endDate: input.endDate } : {}),
      },
    });
  });
}

/** A PLANNED or CLOSED sprint only; its live issues go back to the backlog, with history. */
export async function deleteSprint(scope: TenantScope, id: string): Promise<boolean> {
  requireRole(scope, 'sprint:manage');
  return scope.db.run(async (tx) => {
    const sprint = await findSprint(tx, id);
    assertWritable(sprint.project);
    // Serializes with startSprint, which decides under the same lock which sprint is ACTIVE.
    await lockProject(tx, sprint.projectId);
    const current = await tx.sprint.findFirst({ where: { id }, select: { state: true } });
    if (current?.state === 'ACTIVE') throw badInput('id', `Sprint ${sprint.name} is ACTIVE; complete it before deleting it`);
    await moveIssuesOut(tx, scope, sprint, null, false);
    await tx.sprint.delete({ where: { id } });
    await recordAudit(tx, scope, { action: 'sprint.deleted', targetId: toGlobalId('Sprint', id), data: { project: sprint.project.key, name: sprint.name } });
    return true;
  });
}

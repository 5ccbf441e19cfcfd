// Sprints: PLANNED → ACTIVE → CLOSED, at most one ACTIVE per project. Completing a sprint
// moves its unfinished issues to another sprint or back to the backlog, with history.
import type { Sprint } from '../../generated/prisma/client';
import { AppError, badInput, notFound } from '../../errors/app-error';
import type { TenantDb } from '../../db/tenant-db';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import type { Actor } from '../organization/organization.service';
import { assertWritable, findProjectByKey } from '../project/project.service';
import { recordEvents } from '../history/history.service';
import { lockProject, lockProjectEvents } from '../issue/issue-lookup';
import { checkDate } from '../issue/issue-validation';

async function findSprint(tx: Tx, id: string, field = 'id') {
  const sprint = await tx.sprint.findFirst({ where: { id }, include: { project: true } });
  if (!sprint) throw notFound('Sprint', field);
  return sprint;
}

export async function createSprint(
  actor: Actor,
  db: TenantDb,
  input: { projectKey: string; name: string; goal?: string | null; startDate?: Date | null; endDate?: Date | null },
): Promise<Sprint> {
  requireRole(actor, 'sprint:manage');
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw badInput('name', 'Sprint name must be 1 to 100 characters long');
  if (input.goal && input.goal.length > 1000) throw badInput('goal', 'Goal must be at most 1000 characters');
  checkDate('startDate', input.startDate);
  checkDate('endDate', input.endDate);
  if (input.startDate && input.endDate && input.endDate <= input.startDate) throw badInput('endDate', 'endDate must be after startDate');
  return db.run(async (tx) => {
    const project = await findProjectByKey(tx, actor.orgId, input.projectKey);
    assertWritable(project);
    return tx.sprint.create({
      data: { orgId: actor.orgId, projectId: project.id, name, goal: input.goal ?? null, startDate: input.startDate ?? null, endDate: input.endDate ?? null },
    });
  });
}

export async function startSprint(actor: Actor, db: TenantDb, id: string): Promise<Sprint> {
  requireRole(actor, 'sprint:manage');
  return db.run(async (tx) => {
    const sprint = await findSprint(tx, id);
    assertWritable(sprint.project);
    if (sprint.state !== 'PLANNED') throw badInput('id', `Sprint ${sprint.name} is ${sprint.state}; only a PLANNED sprint can start`);
    await lockProject(tx, sprint.projectId);
    const active = await tx.sprint.findFirst({ where: { projectId: sprint.projectId, state: 'ACTIVE' } });
    if (active) throw new AppError('CONFLICT', `Sprint ${active.name} is already active in ${sprint.project.key}; complete it first`, { field: 'id' });
    return tx.sprint.update({ where: { id }, data: { state: 'ACTIVE', startDate: sprint.startDate ?? new Date() } });
  });
}

export async function completeSprint(actor: Actor, db: TenantDb, id: string, moveToSprintId: string | null | undefined): Promise<Sprint> {
  requireRole(actor, 'sprint:manage');
  return db.run(async (tx) => {
    const sprint = await findSprint(tx, id);
    assertWritable(sprint.project);
    if (sprint.state !== 'ACTIVE') throw badInput('id', `Sprint ${sprint.name} is ${sprint.state}; only an ACTIVE sprint can complete`);
    let target: Sprint | null = null;
    if (moveToSprintId) {
      target = await findSprint(tx, moveToSprintId, 'moveOpenIssuesToSprintId');
      if (target.projectId !== sprint.projectId) throw notFound('Sprint', 'moveOpenIssuesToSprintId');
      if (target.id === sprint.id || target.state === 'CLOSED') throw badInput('moveOpenIssuesToSprintId', 'Open issues can only move to another sprint that is not closed');
    }
    const open = await tx.issue.findMany({ where: { sprintId: id, deletedAt: null, status: { category: { not: 'DONE' } } }, select: { id: true } });
    if (open.length > 0) {
      await lockProjectEvents(tx, sprint.projectId);
      await tx.issue.updateMany({ where: { id: { in: open.map((i) => i.id) } }, data: { sprintId: target?.id ?? null, version: { increment: 1 }, updatedAt: new Date() } });
      await recordEvents(
        tx,
        actor.orgId,
        actor.userId,
        open.map((issue) => ({
          issueId: issue.id,
          projectId: sprint.projectId,
          kind: 'UPDATED' as const,
          field: 'sprint',
          from: toGlobalId('Sprint', id),
          to: target ? toGlobalId('Sprint', target.id) : null,
        })),
      );
    }
    return tx.sprint.update({ where: { id }, data: { state: 'CLOSED', endDate: sprint.endDate ?? new Date() } });
  });
}

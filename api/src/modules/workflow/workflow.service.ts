// Workflow administration: a project's states (name, category, order) and the transitions
// between them. Every edit of one workflow holds the project's row lock, the lock issue
// creation takes too, so edits are serialized with each other and with new issues.
import type { Prisma, WorkflowState } from '../../generated/prisma/client';
import type { StatusCategory } from '../../generated/prisma/enums';
import { AppError, badInput, notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { findProjectByKey } from '../project/project.service';
import { assertWritable } from '../project/project-writable';
import { recordEvents } from '../history/history.service';
import { lockProject } from '../issue/issue-lookup';
import { recordAudit } from '../audit/audit.service';
import { orderWithMove, positionsToWrite } from './state-order';
import type { Actor, TenantScope } from '../../tenancy/scope';

/** A board with more columns than this is no longer a workflow anyone can read. */
export const MAX_STATES_PER_PROJECT = 50;
const NAME_MAX = 50;

function cleanName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > NAME_MAX) throw badInput('name', `State name must be 1 to ${NAME_MAX} characters long`);
  return name;
}

async function statesOf(tx: Tx, projectId: string): Promise<WorkflowState[]> {
  return tx.workflowState.findMany({ where: { projectId }, orderBy: { position: 'asc' } });
}

/** The state and its project, with the project locked for the rest of the transaction. */
async function lockStateWorkflow(tx: Tx, stateId: string, field: string) {
  const found = await tx.workflowState.findFirst({ where: { id: stateId }, select: { projectId: true } });
  if (!found) throw notFound('WorkflowState', field);
  await lockProject(tx, found.projectId);
  const state = await tx.workflowState.findFirst({ where: { id: stateId }, include: { project: true } });
  if (!state) throw notFound('WorkflowState', field);
  assertWritable(state.project);
  return state;
}

function assertUniqueName(states: readonly WorkflowState[], name: string, exceptId?: string): void {
  const taken = states.find((state) => state.id !== exceptId && state.name.toLowerCase() === name.toLowerCase());
  if (taken) throw new AppError('CONFLICT', `The workflow already has a state named ${taken.name}`, { field: 'name' });
}

function auditWorkflow(tx: Tx, actor: Actor, projectKey: string, stateId: string, data: Record<string, unknown>): Promise<void> {
  return recordAudit(tx, actor, { action: 'workflow.changed', targetId: toGlobalId('WorkflowState', stateId), data: { project: projectKey, ...data } });
}

/** Writes the positions of `ordered` (every state of one project) as 0..n-1. */
async function writeOrder(tx: Tx, ordered: readonly WorkflowState[]): Promise<void> {
  for (const step of positionsToWrite(ordered)) {
    await tx.$executeRaw`
      UPDATE workflow_states AS s SET position = v.position
      FROM unnest(${step.ids}::uuid[], ${step.positions}::int[]) AS v(id, position)
      WHERE s.id = v.id`;
  }
}

export async function createWorkflowState(
  scope: TenantScope,
  input: { projectKey: string; name: string; category: StatusCategory; position?: number | null },
): Promise<WorkflowState> {
  requireRole(scope, 'project:manage');
  const name = cleanName(input.name);
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, input.projectKey);
    assertWritable(project);
    await lockProject(tx, project.id);
    const states = await statesOf(tx, project.id);
    if (states.length >= MAX_STATES_PER_PROJECT) throw badInput('projectKey', `A workflow has at most ${MAX_STATES_PER_PROJECT} states`);
    assertUniqueName(states, name);
    const position = input.position ?? states.length;
    if (position < 0 || position > states.length) throw badInput('position', `position must be between 0 and ${states.length}`);
    // Created past the end, then moved into place with the others renumbered.
    const created = await tx.workflowState.create({ data: { orgId: scope.orgId, projectId: project.id, name, category: input.category, position: states.length } });
    await writeOrder(tx, orderWithMove([...states, created], created.id, position));
    await auditWorkflow(tx, scope, project.key, created.id, { change: 'state_created', name, category: input.category, position });
    return tx.workflowState.findUniqueOrThrow({ where: { id: created.id } });
  });
}

export async function updateWorkflowState(
  scope: TenantScope,
  id: string,
  input: { name?: string | null; category?: StatusCategory | null; position?: number | null },
): Promise<WorkflowState> {
  requireRole(scope, 'project:manage');
  const name = input.name == null ? undefined : cleanName(input.name);
  return scope.db.run(async (tx) => {
    const state = await lockStateWorkflow(tx, id, 'id');
    const states = await statesOf(tx, state.projectId);
    if (name !== undefined) assertUniqueName(states, name, id);
    const data: Prisma.WorkflowStateUpdateInput = {};
    if (name !== undefined) data.name = name;
    if (input.category != null) data.category = input.category;
    if (Object.keys(data).length > 0) await tx.workflowState.update({ where: { id }, data });
    if (input.position != null && input.position !== state.position) {
      if (input.position < 0 || input.position >= states.length) throw badInput('position', `position must be between 0 and ${states.length - 1}`);
      await writeOrder(tx, orderWithMove(states, id, input.position));
    }
    await auditWorkflow(tx, scope, state.project.key, id, { change: 'state_updated', from: { name: state.name, category: state.category, position: state.position }, to: { name, category: input.category ?? undefined, position: input.position ?? undefined } });
    return tx.workflowState.findUniqueOrThrow({ where: { id } });
  });
}

/**
 * Moves every issue of the state to `moveToId` (live issues as a TRANSITIONED change with a
 * version bump, so history, realtime and webhooks see it; deleted ones silently, since they
 * must still point at an existing state), then deletes the state and its transitions.
 * The state's row is locked first: a concurrent transition into it waits and then finds it gone.
 */
export async function deleteWorkflowState(scope: TenantScope, id: string, moveToId: string): Promise<boolean> {
  requireRole(scope, 'project:manage');
  return scope.db.run(async (tx) => {
    const state = await lockStateWorkflow(tx, id, 'id');
    const target = await tx.workflowState.findFirst({ where: { id: moveToId, projectId: state.projectId } });
    if (!target) throw notFound('WorkflowState', 'moveIssuesToStateId');
    if (target.id === state.id) throw badInput('moveIssuesToStateId', 'Issues must move to another state of the workflow; a project keeps at least one state');
    await tx.$queryRaw`SELECT id FROM workflow_states WHERE id = ${id}::uuid FOR UPDATE`;
    const moving = await tx.$queryRaw<{ id: string; deleted: boolean }[]>`
      SELECT id, deleted_at IS NOT NULL AS deleted FROM issues WHERE status_id = ${id}::uuid ORDER BY id FOR UPDATE`;
    if (moving.length > 0) {
      const live = moving.filter((issue) => !issue.deleted).map((issue) => issue.id);
      const all = moving.map((issue) => issue.id);
      await tx.$executeRaw`UPDATE issues SET status_id = ${target.id}::uuid, version = version + CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END, updated_at = now() WHERE id = ANY(${all}::uuid[])`;
      const from = { id: toGlobalId('WorkflowState', state.id), name: state.name, category: state.category };
      const to = { id: toGlobalId('WorkflowState', target.id), name: target.name, category: target.category };
      await recordEvents(
        tx,
        scope.orgId,
        scope.userId,
        live.map((issueId) => ({ issueId, projectId: state.projectId, kind: 'TRANSITIONED' as const, field: 'status', from, to })),
      );
    }
    await tx.workflowState.delete({ where: { id } });
    await writeOrder(tx, await statesOf(tx, state.projectId));
    await auditWorkflow(tx, scope, state.project.key, id, { change: 'state_deleted', name: state.name, movedTo: target.name, issues: moving.length });
    return true;
  });
}

/** Replaces the state's outgoing transitions with exactly `toStateIds` (an empty list: a final state). */
export async function setWorkflowTransitions(scope: TenantScope, fromStateId: string, toStateIds: readonly string[]): Promise<WorkflowState> {
  requireRole(scope, 'project:manage');
  const targets = [...new Set(toStateIds)];
  if (targets.includes(fromStateId)) throw badInput('toStateIds', 'A state cannot transition to itself');
  if (targets.length > MAX_STATES_PER_PROJECT) throw badInput('toStateIds', `At most ${MAX_STATES_PER_PROJECT} target states`);
  return scope.db.run(async (tx) => {
    const state = await lockStateWorkflow(tx, fromStateId, 'fromStateId');
    const found = await tx.workflowState.count({ where: { id: { in: targets }, projectId: state.projectId } });
    if (found !== targets.length) throw notFound('WorkflowState', 'toStateIds');
    await tx.workflowTransition.deleteMany({ where: { fromStateId } });
    await tx.workflowTransition.createMany({ data: targets.map((toStateId) => ({ orgId: scope.orgId, fromStateId, toStateId })) });
    await auditWorkflow(tx, scope, state.project.key, fromStateId, { change: 'transitions_set', to: targets.map((target) => toGlobalId('WorkflowState', target)) });
    const { project: _project, ...plain } = state;
    return plain;
  });
}

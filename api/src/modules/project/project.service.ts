// Projects: creation with the default workflow, edits, archiving (archived projects are
// read-only and hidden from lists unless asked for).
import { dropAttachmentsOf } from '../attachment/attachment.service';
import type { Project } from '../../generated/prisma/client';
import { AppError, badInput, notFound } from '../../errors/app-error';
import { isRetryableConflict } from '../../errors/database-errors';
import { requireRole } from '../../auth/roles';
import { connectionOfPage, decodeCursor, type ConnectionShape, type PageRequest } from '../../graphql/pagination';
import { keysetQuery } from '../../db/keyset';
import type { TenantDb } from '../../tenancy/tenant-db';
import type { Tx } from '../../db/tx';
import { assertMember } from '../organization/membership-check';
import { DEFAULT_STATES, defaultTransitions } from './default-workflow';
import { assertProjectKey } from './project-key';
import { recordAudit } from '../audit/audit.service';
import { toGlobalId } from '../../graphql/global-id';
import { lockProject } from '../issue/issue-lookup';
import { assertWritable } from './project-writable';
import type { TenantScope } from '../../tenancy/scope';

const NAME_MAX = 100;
const DESCRIPTION_MAX = 10_000;

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > NAME_MAX) throw badInput('name', `Name must be 1 to ${NAME_MAX} characters long`);
  return trimmed;
}

function cleanDescription(description: string | null | undefined): string | null | undefined {
  if (description && description.length > DESCRIPTION_MAX) throw badInput('description', `Description must be at most ${DESCRIPTION_MAX} characters`);
  return description;
}

export async function findProjectByKey(tx: Tx, orgId: string, key: string): Promise<Project> {
  const project = await tx.project.findUnique({ where: { orgId_key: { orgId, key } } });
  if (!project) throw notFound('Project');
  return project;
}

export async function createProject(
  scope: TenantScope,
  input: { key: string; name: string; description?: string | null; leadId?: string | null },
): Promise<Project> {
  requireRole(scope, 'project:manage');
  assertProjectKey(input.key);
  const name = cleanName(input.name);
  const description = cleanDescription(input.description) ?? null;
  try {
    return await scope.db.run(async (tx) => {
      if (input.leadId) await assertMember(tx, scope.orgId, input.leadId, 'leadId');
      const project = await tx.project.create({ data: { orgId: scope.orgId, key: input.key, name, description, leadId: input.leadId ?? null } });
      const states = await tx.workflowState.createManyAndReturn({
        data: DEFAULT_STATES.map((state, position) => ({ orgId: scope.orgId, projectId: project.id, name: state.name, category: state.category, position })),
      });
      const byPosition = new Map(states.map((state) => [state.position, state.id]));
      await tx.workflowTransition.createMany({
        data: defaultTransitions().map(([from, to]) => ({ orgId: scope.orgId, fromStateId: byPosition.get(from)!, toStateId: byPosition.get(to)! })),
      });
      await recordAudit(tx, scope, { action: 'project.created', targetId: toGlobalId('Project', project.id), data: { key: project.key } });
      return project;
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT' && !isRetryableConflict(error)) throw new AppError('CONFLICT', `Project key ${input.key} is taken`, { field: 'key' });
    throw error;
  }
}

export async function updateProject(
  scope: TenantScope,
  key: string,
  input: { name?: string | null; description?: string | null; leadId?: string | null },
): Promise<Project> {
  requireRole(scope, 'project:manage');
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, key);
    assertWritable(project);
    if (input.leadId) await assertMember(tx, scope.orgId, input.leadId, 'leadId');
    const data = {
      ...(input.name != null ? { name: cleanName(input.name) } : {}),
      ...(input.description !== undefined ? { description: cleanDescription(input.description) } : {}),
      ...(input.leadId !== undefined ? { leadId: input.leadId } : {}),
    };
    const updated = await tx.project.update({ where: { id: project.id }, data });
    await recordAudit(tx, scope, { action: 'project.updated', targetId: toGlobalId('Project', project.id), data: { key: project.key, fields: Object.keys(data) } });
    return updated;
  });
}

export async function archiveProject(scope: TenantScope, key: string): Promise<Project> {
  requireRole(scope, 'project:manage');
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, key);
    if (project.archivedAt) return project;
    await recordAudit(tx, scope, { action: 'project.archived', targetId: toGlobalId('Project', project.id), data: { key: project.key } });
    return tx.project.update({ where: { id: project.id }, data: { archivedAt: new Date() } });
  });
}

export async function unarchiveProject(scope: TenantScope, key: string): Promise<Project> {
  requireRole(scope, 'project:manage');
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, key);
    if (!project.archivedAt) return project;
    await recordAudit(tx, scope, { action: 'project.unarchived', targetId: toGlobalId('Project', project.id), data: { key: project.key } });
    return tx.project.update({ where: { id: project.id }, data: { archivedAt: null } });
  });
}

/**
 * Deletes a project and everything in it (workflow, labels, sprints, issues with their
 * comments, links, watchers and history, webhooks with their deliveries) in one transaction:
 * the tenant foreign keys cascade, and each of them names this project's rows only. The typed
 * confirmation guards against deleting the wrong project by a slip of the variables.
 */
export async function deleteProject(scope: TenantScope, key: string, confirmKey: string): Promise<boolean> {
  requireRole(scope, 'project:delete');
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, key);
    if (confirmKey !== project.key) throw badInput('confirmKey', `confirmKey must repeat the project key (${project.key}) exactly`);
    // Writers to the project hold its event lock before their rows: wait for them, then delete.
    await lockProject(tx, project.id);
    // The cascade would take the attachment rows but not their objects: collect those first.
    await dropAttachmentsOf(tx, scope.orgId, { projectId: project.id });
    await tx.project.delete({ where: { id: project.id } });
    await recordAudit(tx, scope, { action: 'project.deleted', targetId: toGlobalId('Project', project.id), data: { key: project.key, name: project.name } });
    return true;
  });
}

export async function getProject(db: TenantDb, key: string): Promise<Project | null> {
  return db.read((tx) => tx.project.findUnique({ where: { orgId_key: { orgId: db.orgId, key } } }));
}

/** By key. */
export async function listProjects(db: TenantDb, includeArchived: boolean, page: PageRequest): Promise<ConnectionShape<Project>> {
  const cursor = decodeCursor(page.cursor, 1, page.cursorField);
  const where = { orgId: db.orgId, ...(includeArchived ? {} : { archivedAt: null }) };
  const keyset = keysetQuery(['key'], 'asc', page, cursor && [String(cursor[0])]);
  const rows = await db.read((tx) => tx.project.findMany({ where: { AND: [where, keyset.where ?? {}] }, orderBy: keyset.orderBy, take: keyset.take }));
  return connectionOfPage(rows, page, (p) => [p.key], () => db.read((tx) => tx.project.count({ where })));
}

// Creating, editing and deleting issues. Every write checks the caller's role, runs in one
// tenant transaction with its history events, and bumps `version` exactly once.
import { dropAttachmentsOf } from '../attachment/attachment.service';
import type { Issue, Project, WorkflowState } from '../../generated/prisma/client';
import type { IssueType, Priority } from '../../generated/prisma/enums';
import { badInput, conflict, notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { assertWritable } from '../project/project-writable';
import { mentionDrafts } from '../notification/notification.service';
import { recordEvents } from '../history/history.service';
import type { EventDraft } from '../history/event-draft';
import { assertHierarchy } from './hierarchy';
import { formatIssueKey } from './issue-key';
import { lockIssueByKey, type IssueWithProject } from './issue-lookup';
import { checkAssignee, checkLabels, checkSprint, findParent } from './issue-refs';
import { lockProjectForCreate, readCreateStart } from './issue-create-start';
import type { PublicUser } from '../user/user.loaders';
import { checkDate, checkDescription, checkStoryPoints, cleanTitle } from './issue-validation';
import { FIRST_RANK, rankAfter } from './rank';
import { lockProjectFields, writeFieldValues, type FieldValueCommand } from '../custom-field/custom-field-value';
import type { Actor, TenantScope } from '../../tenancy/scope';

/** The editable fields of an issue, as services take them (ids already decoded). */
interface IssueFields {
  readonly title?: string | null;
  readonly description?: string | null;
  readonly type?: IssueType | null;
  readonly priority?: Priority | null;
  readonly assigneeId?: string | null;
  readonly labelIds?: readonly string[] | null;
  readonly parentKey?: string | null;
  readonly storyPoints?: number | null;
  readonly dueDate?: Date | null;
  readonly sprintId?: string | null;
  /** Custom field values (field row ids); on update, only the fields named change. */
  readonly customFields?: readonly FieldValueCommand[] | null;
}

export interface CreateIssueCommand extends IssueFields {
  readonly projectKey: string;
  readonly title: string;
}

/** undefined: leave as is; null: clear (where the field is nullable). */
export type UpdateIssueCommand = IssueFields;

const userRef = (id: string | null) => (id ? toGlobalId('User', id) : null);
const sprintRef = (id: string | null) => (id ? toGlobalId('Sprint', id) : null);
const issueRef = (id: string | null) => (id ? toGlobalId('Issue', id) : null);

/** What createIssue read or wrote besides the issue, for the response's field resolvers. */
export interface CreatedIssue {
  readonly issue: Issue;
  readonly project: Project;
  readonly status: WorkflowState;
  readonly assignee: PublicUser | null;
}

export async function createIssue(scope: TenantScope, command: CreateIssueCommand): Promise<Issue> {
  return (await createIssueWithRelations(scope, command)).issue;
}

export async function createIssueWithRelations(scope: TenantScope, command: CreateIssueCommand): Promise<CreatedIssue> {
  requireRole(scope, 'issue:write');
  const title = cleanTitle(command.title);
  checkDescription(command.description);
  checkStoryPoints(command.storyPoints);
  checkDate('dueDate', command.dueDate);
  const type = command.type ?? 'TASK';
  return scope.db.run(async (tx) => {
    // The project's event lock first (one lock order per project, see issue-lookup.ts), then
    // taking the next number locks the project row: numbers and ranks are handed out one
    // transaction at a time, and a rollback gives the number back (gap-free).
    const project = await lockProjectForCreate(tx, scope.orgId, command.projectKey);
    if (!project) throw notFound('Project', 'projectKey');
    if (project.archivedAt) throw badInput('projectKey', `Project ${project.key} is archived and read-only`);
    const parent = command.parentKey ? await findParent(tx, scope.orgId, command.parentKey) : null;
    assertHierarchy({ type, parent, projectId: project.id });
    // After the lock, in a statement (and snapshot) of its own: the last rank is the one the
    // previous holder of the lock wrote.
    const start = await readCreateStart(tx, scope.orgId, project.id, command.assigneeId ?? null);
    if (command.assigneeId && !start.assignee) throw notFound('User', 'assigneeId');
    const labelIds = await checkLabels(tx, project.id, command.labelIds ?? []);
    if (command.sprintId) await checkSprint(tx, project.id, command.sprintId);
    if (!start.initial) throw new Error(`Project ${project.key} has no workflow states`);
    const issue = await tx.issue.create({
      data: {
        orgId: scope.orgId,
        projectId: project.id,
        number: project.issueSeq,
        type,
        title,
        description: command.description ?? null,
        statusId: start.initial.id,
        priority: command.priority ?? 'NONE',
        assigneeId: command.assigneeId ?? null,
        reporterId: scope.userId,
        parentId: parent?.id ?? null,
        storyPoints: command.storyPoints ?? null,
        dueDate: command.dueDate ?? null,
        sprintId: command.sprintId ?? null,
        rank: start.lastRank ? rankAfter(start.lastRank) : FIRST_RANK,
      },
    });
    if (labelIds.length > 0) {
      await tx.issueLabel.createMany({ data: labelIds.map((labelId) => ({ orgId: scope.orgId, issueId: issue.id, labelId })) });
    }
    // Every required field needs a value in customFields, or nothing is created.
    await writeFieldValues(tx, scope.orgId, issue, start.fields, command.customFields ?? [], 'customFields', true);
    await recordEvents(tx, scope.orgId, scope.userId, [
      { issueId: issue.id, projectId: project.id, kind: 'CREATED', to: { key: formatIssueKey(project.key, issue.number), title, type } },
    ], [
      ...(issue.assigneeId ? [{ userId: issue.assigneeId, issueId: issue.id, kind: 'ASSIGNED' as const }] : []),
      ...mentionDrafts(issue.id, issue.description),
    ]);
    return { issue, project, status: start.initial, assignee: start.assignee };
  });
}

export function assertExpectedVersion(issue: Issue, expectedVersion: number | null | undefined): void {
  if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion !== issue.version) {
    throw conflict(`Issue was changed by someone else (version ${issue.version}, expected ${expectedVersion}); reload and retry`, {
      currentVersion: issue.version,
    });
  }
}

function sameDate(a: Date | null, b: Date | null): boolean {
  return (a?.getTime() ?? null) === (b?.getTime() ?? null);
}

interface PlannedUpdate {
  readonly data: Record<string, unknown>;
  readonly events: EventDraft[];
  readonly labels?: { readonly add: string[]; readonly remove: string[]; readonly next: string[]; readonly previous: string[] };
}

async function planUpdate(tx: Tx, actor: Actor, current: IssueWithProject, command: UpdateIssueCommand): Promise<PlannedUpdate> {
  const data: Record<string, unknown> = {};
  const events: EventDraft[] = [];
  const change = (field: string, from: unknown, to: unknown, column: string, value: unknown) => {
    data[column] = value;
    events.push({ issueId: current.id, projectId: current.projectId, kind: 'UPDATED', field, from, to });
  };
  if (command.title != null) {
    const title = cleanTitle(command.title);
    if (title !== current.title) change('title', current.title, title, 'title', title);
  }
  if (command.description !== undefined && command.description !== current.description) {
    checkDescription(command.description);
    change('description', current.description, command.description, 'description', command.description);
  }
  if (command.priority != null && command.priority !== current.priority) change('priority', current.priority, command.priority, 'priority', command.priority);
  if (command.storyPoints !== undefined && command.storyPoints !== current.storyPoints) {
    checkStoryPoints(command.storyPoints);
    change('storyPoints', current.storyPoints, command.storyPoints, 'storyPoints', command.storyPoints);
  }
  if (command.dueDate !== undefined && !sameDate(command.dueDate, current.dueDate)) {
    checkDate('dueDate', command.dueDate);
    change('dueDate', current.dueDate?.toISOString() ?? null, command.dueDate?.toISOString() ?? null, 'dueDate', command.dueDate);
  }
  if (command.assigneeId !== undefined && command.assigneeId !== current.assigneeId) {
    if (command.assigneeId) await checkAssignee(tx, actor.orgId, command.assigneeId);
    change('assignee', userRef(current.assigneeId), userRef(command.assigneeId), 'assigneeId', command.assigneeId);
  }
  if (command.sprintId !== undefined && command.sprintId !== current.sprintId) {
    if (command.sprintId) await checkSprint(tx, current.projectId, command.sprintId);
    change('sprint', sprintRef(current.sprintId), sprintRef(command.sprintId), 'sprintId', command.sprintId);
  }
  const type = command.type ?? current.type;
  const parentChanged = command.parentKey !== undefined;
  if (type !== current.type || parentChanged) {
    const parent = parentChanged
      ? command.parentKey
        ? await findParent(tx, actor.orgId, command.parentKey)
        : null
      : current.parentId
        ? await tx.issue.findFirst({ where: { id: current.parentId, deletedAt: null } })
        : null;
    const children = await tx.issue.findMany({ where: { parentId: current.id, deletedAt: null }, select: { type: true } });
    assertHierarchy({ id: current.id, type, parent, projectId: current.projectId, childTypes: children.map((c) => c.type) });
    if (type !== current.type) change('type', current.type, type, 'type', type);
    const parentId = parent?.id ?? null;
    if (parentId !== current.parentId) change('parent', issueRef(current.parentId), issueRef(parentId), 'parentId', parentId);
  }
  let labels: PlannedUpdate['labels'];
  if (command.labelIds != null) {
    const next = await checkLabels(tx, current.projectId, command.labelIds);
    const previous = (await tx.issueLabel.findMany({ where: { issueId: current.id }, select: { labelId: true } })).map((l) => l.labelId);
    const add = next.filter((id) => !previous.includes(id));
    const remove = previous.filter((id) => !next.includes(id));
    if (add.length > 0 || remove.length > 0) {
      labels = { add, remove, next, previous };
      events.push({
        issueId: current.id,
        projectId: current.projectId,
        kind: 'UPDATED',
        field: 'labels',
        from: previous.map((id) => toGlobalId('Label', id)),
        to: next.map((id) => toGlobalId('Label', id)),
      });
    }
  }
  return { data, events, labels };
}

export async function updateIssue(scope: TenantScope, key: string, command: UpdateIssueCommand, expectedVersion?: number | null): Promise<Issue> {
  requireRole(scope, 'issue:write');
  if (command.title === null) throw badInput('title', 'title cannot be null');
  return scope.db.run(async (tx) => {
    const current = await lockIssueByKey(tx, scope.orgId, key);
    assertWritable(current.project);
    assertExpectedVersion(current, expectedVersion);
    return applyUpdate(tx, scope, current, command);
  });
}

/**
 * Applies `command` to an issue the caller has locked and checked: one version bump and its
 * history, or nothing when nothing changes. updateIssue and the bulk updateIssues share it.
 */
export async function applyUpdate(tx: Tx, actor: Actor, current: IssueWithProject, command: UpdateIssueCommand): Promise<Issue> {
  const plan = await planUpdate(tx, actor, current, command);
  if (command.customFields) {
    const fields = await lockProjectFields(tx, current.projectId);
    plan.events.push(...(await writeFieldValues(tx, actor.orgId, current, fields, command.customFields, 'customFields')));
  }
  if (plan.events.length === 0) return current;
  if (plan.labels) {
    await tx.issueLabel.deleteMany({ where: { issueId: current.id, labelId: { in: plan.labels.remove } } });
    await tx.issueLabel.createMany({ data: plan.labels.add.map((labelId) => ({ orgId: actor.orgId, issueId: current.id, labelId })) });
  }
  const updated = await tx.issue.update({ where: { id: current.id }, data: { ...plan.data, version: { increment: 1 } } });
  await recordEvents(tx, actor.orgId, actor.userId, plan.events);
  return updated;
}

/** Soft delete: the key is never reused. Subtasks go with their parent; an epic's children stay, detached. */
export async function deleteIssue(scope: TenantScope, key: string): Promise<boolean> {
  requireRole(scope, 'issue:write');
  return scope.db.run(async (tx) => {
    const issue = await lockIssueByKey(tx, scope.orgId, key);
    assertWritable(issue.project);
    const now = new Date();
    const children = await tx.issue.findMany({ where: { parentId: issue.id, deletedAt: null } });
    const events: EventDraft[] = [{ issueId: issue.id, projectId: issue.projectId, kind: 'DELETED', from: { key } }];
    for (const child of children) {
      if (child.type === 'SUBTASK') {
        await tx.issue.update({ where: { id: child.id }, data: { deletedAt: now, version: { increment: 1 } } });
        events.push({ issueId: child.id, projectId: child.projectId, kind: 'DELETED', from: { parent: key } });
      } else {
        await tx.issue.update({ where: { id: child.id }, data: { parentId: null, version: { increment: 1 } } });
        events.push({ issueId: child.id, projectId: child.projectId, kind: 'UPDATED', field: 'parent', from: issueRef(issue.id), to: null });
      }
    }
    await tx.issue.update({ where: { id: issue.id }, data: { deletedAt: now, version: { increment: 1 } } });
    // The issue stays as a tombstone; its files do not (their objects go after the commit).
    const deletedIds = [issue.id, ...children.filter((child) => child.type === 'SUBTASK').map((child) => child.id)];
    await dropAttachmentsOf(tx, scope.orgId, { issueIds: deletedIds });
    await recordEvents(tx, scope.orgId, scope.userId, events);
    return true;
  });
}


// Custom field administration (ADMIN+) and setting an issue's values (MEMBER+). Field edits
// hold the project's lock (serialized with each other and with issue creation) and write an
// audit entry in their transaction.
import type { CustomField, Issue } from '../../generated/prisma/client';
import type { CustomFieldType } from '../../generated/prisma/enums';
import { AppError, badInput, notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { findProjectByKey } from '../project/project.service';
import { assertWritable } from '../project/project-writable';
import { recordAudit } from '../audit/audit.service';
import { recordEvents } from '../history/history.service';
import { lockIssueByKey, lockProject } from '../issue/issue-lookup';
import { assertExpectedVersion } from '../issue/issue.service';
import { lockProjectFields, MAX_FIELDS_PER_PROJECT, MAX_OPTIONS_PER_FIELD, OPTION_MAX, writeFieldValues, type FieldValueCommand } from './custom-field-value';
import type { TenantScope } from '../../tenancy/scope';

const NAME_MAX = 50;

function cleanName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > NAME_MAX) throw badInput('name', `A field name must be 1 to ${NAME_MAX} characters long`);
  return name;
}

function cleanOptions(raw: readonly string[]): string[] {
  if (raw.length < 1 || raw.length > MAX_OPTIONS_PER_FIELD) throw badInput('options', `A SELECT field has 1 to ${MAX_OPTIONS_PER_FIELD} options`);
  const options = raw.map((option) => option.trim());
  if (options.some((option) => option.length < 1 || option.length > OPTION_MAX)) throw badInput('options', `An option must be 1 to ${OPTION_MAX} characters long`);
  if (new Set(options).size !== options.length) throw badInput('options', 'Options must be distinct');
  return options;
}

function assertUniqueName(fields: readonly CustomField[], name: string, exceptId?: string): void {
  const taken = fields.find((field) => field.id !== exceptId && field.name.toLowerCase() === name.toLowerCase());
  if (taken) throw new AppError('CONFLICT', `The project already has a field named ${taken.name}`, { field: 'name' });
}

const fieldRef = (id: string) => toGlobalId('CustomField', id);

export async function createCustomField(
  scope: TenantScope,
  input: { projectKey: string; name: string; type: CustomFieldType; options?: readonly string[] | null; required?: boolean | null },
): Promise<CustomField> {
  requireRole(scope, 'project:manage');
  const name = cleanName(input.name);
  let options: string[] = [];
  if (input.type === 'SELECT') options = cleanOptions(input.options ?? []);
  else if (input.options && input.options.length > 0) throw badInput('options', 'Only SELECT fields have options');
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, input.projectKey);
    assertWritable(project);
    await lockProject(tx, project.id);
    const fields = await tx.customField.findMany({ where: { projectId: project.id } });
    if (fields.length >= MAX_FIELDS_PER_PROJECT) throw badInput('projectKey', `A project has at most ${MAX_FIELDS_PER_PROJECT} custom fields`);
    assertUniqueName(fields, name);
    const field = await tx.customField.create({ data: { orgId: scope.orgId, projectId: project.id, name, type: input.type, options, required: input.required ?? false } });
    await recordAudit(tx, scope, { action: 'custom_field.created', targetId: fieldRef(field.id), data: { project: project.key, name, type: field.type, options, required: field.required } });
    return field;
  });
}

/** The field and its project, with the project locked and the field row locked for update. */
async function lockField(tx: Tx, fieldId: string) {
  const found = await tx.customField.findFirst({ where: { id: fieldId }, select: { projectId: true } });
  if (!found) throw notFound('CustomField', 'id');
  await lockProject(tx, found.projectId);
  // FOR UPDATE, not NO KEY UPDATE: it waits for writers of values that hold the field FOR KEY
  // SHARE, so an option rename sees (and renames) every value committed before it.
  await tx.$queryRaw`SELECT id FROM custom_fields WHERE id = ${fieldId}::uuid FOR UPDATE`;
  const field = await tx.customField.findFirst({ where: { id: fieldId }, include: { project: true } });
  if (!field) throw notFound('CustomField', 'id');
  assertWritable(field.project);
  return field;
}

/**
 * Renames the field and/or rewrites a SELECT field's options. Options are matched by
 * position: options[i] renames the old i-th option and values holding it follow; entries past
 * the old list are new options; a shorter list removes the last options, refused (CONFLICT)
 * while an issue holds one of them.
 */
export async function updateCustomField(scope: TenantScope, fieldId: string, input: { name?: string | null; options?: readonly string[] | null }): Promise<CustomField> {
  requireRole(scope, 'project:manage');
  const name = input.name == null ? undefined : cleanName(input.name);
  return scope.db.run(async (tx) => {
    const field = await lockField(tx, fieldId);
    const data: { name?: string; options?: string[] } = {};
    if (name !== undefined && name !== field.name) {
      assertUniqueName(await tx.customField.findMany({ where: { projectId: field.projectId } }), name, field.id);
      data.name = name;
    }
    if (input.options != null) {
      if (field.type !== 'SELECT') throw badInput('options', 'Only SELECT fields have options');
      const next = cleanOptions(input.options);
      const previous = field.options;
      const removed = previous.slice(next.length);
      if (removed.length > 0) {
        const used = await tx.customFieldValue.count({ where: { fieldId: field.id, value: { in: removed } } });
        if (used > 0) throw new AppError('CONFLICT', `Issues still hold ${removed.join(', ')}; change them first`, { field: 'options' });
      }
      const renamed = previous.slice(0, next.length).map((old, i) => [old, next[i]!] as const).filter(([old, neu]) => old !== neu);
      if (renamed.length > 0) {
        // One statement, so swapping two options' names is consistent.
        await tx.$executeRaw`
          UPDATE custom_field_values AS v SET value = m.new
          FROM unnest(${renamed.map(([old]) => old)}::text[], ${renamed.map(([, neu]) => neu)}::text[]) AS m(old, new)
          WHERE v.org_id = ${scope.orgId}::uuid AND v.field_id = ${field.id}::uuid AND v.value = m.old`;
      }
      if (renamed.length > 0 || next.length !== previous.length) data.options = next;
    }
    if (Object.keys(data).length === 0) return field;
    const updated = await tx.customField.update({ where: { id: field.id }, data });
    await recordAudit(tx, scope, {
      action: 'custom_field.updated',
      targetId: fieldRef(field.id),
      data: { project: field.project.key, from: { name: field.name, options: field.options }, to: { name: updated.name, options: updated.options } },
    });
    return updated;
  });
}

/** Deletes the field with every value of it (no issue history: the field itself is gone). */
export async function deleteCustomField(scope: TenantScope, fieldId: string): Promise<boolean> {
  requireRole(scope, 'project:manage');
  return scope.db.run(async (tx) => {
    const field = await lockField(tx, fieldId);
    const values = await tx.customFieldValue.deleteMany({ where: { fieldId: field.id } });
    await tx.customField.delete({ where: { id: field.id } });
    await recordAudit(tx, scope, { action: 'custom_field.deleted', targetId: fieldRef(field.id), data: { project: field.project.key, name: field.name, type: field.type, values: values.count } });
    return true;
  });
}

export async function setIssueFields(scope: TenantScope, key: string, values: readonly FieldValueCommand[], expectedVersion?: number | null): Promise<Issue> {
  requireRole(scope, 'issue:write');
  return scope.db.run(async (tx) => {
    const issue = await lockIssueByKey(tx, scope.orgId, key);
    assertWritable(issue.project);
    assertExpectedVersion(issue, expectedVersion);
    const fields = await lockProjectFields(tx, issue.projectId);
    const events = await writeFieldValues(tx, scope.orgId, issue, fields, values, 'values');
    if (events.length === 0) return issue;
    const updated = await tx.issue.update({ where: { id: issue.id }, data: { version: { increment: 1 } } });
    await recordEvents(tx, scope.orgId, scope.userId, events);
    return updated;
  });
}

// Custom field values: validation per type, the canonical text they are stored (and filtered)
// as, and writing an issue's values with one history entry per changed field. Shared by
// createIssue, updateIssue(s) and setIssueFields, inside their transactions.
import type { CustomField } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import { badInput, notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { assertMember } from '../organization/membership-check';
import type { EventDraft } from '../history/event-draft';

/** A project has at most this many fields; a call sets at most as many values. */
export const MAX_FIELDS_PER_PROJECT = 50;
export const MAX_OPTIONS_PER_FIELD = 100;
export const OPTION_MAX = 100;
/** Characters of a TEXT value: the (org, field, value) index holds whole values. */
export const TEXT_VALUE_MAX = 500;

/** A value as services take it: the field's row id and the raw JSON (null clears). */
export interface FieldValueCommand {
  readonly fieldId: string;
  readonly value: unknown;
}

interface Canonical {
  readonly value: string;
  readonly userId: string | null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** The stored text of a valid value; BAD_USER_INPUT (or NOT_FOUND for a non-member) otherwise. */
async function canonical(tx: Tx, orgId: string, field: CustomField, raw: unknown, arg: string): Promise<Canonical> {
  const refuse = (why: string) => badInput(arg, `${field.name}: ${why}`);
  switch (field.type) {
    case 'TEXT':
      if (typeof raw !== 'string' || raw.length === 0) throw refuse('expects a non-empty string (null clears)');
      if (raw.length > TEXT_VALUE_MAX) throw refuse(`at most ${TEXT_VALUE_MAX} characters`);
      return { value: raw, userId: null };
    case 'NUMBER':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw refuse('expects a finite number');
      return { value: String(raw), userId: null };
    case 'DATE':
      if (typeof raw !== 'string' || !isIsoDate(raw)) throw refuse('expects an ISO date (YYYY-MM-DD)');
      return { value: raw, userId: null };
    case 'SELECT':
      if (typeof raw !== 'string' || !field.options.includes(raw)) throw refuse(`expects one of its options: ${field.options.join(', ')}`);
      return { value: raw, userId: null };
    case 'USER': {
      if (typeof raw !== 'string') throw refuse('expects a User id');
      // Anyone outside the organization is "not found", whether or not the account exists.
      const userId = fromGlobalId('User', raw, arg);
      await assertMember(tx, orgId, userId, arg);
      return { value: toGlobalId('User', userId), userId };
    }
  }
}

/** A stored value as the API shows it (numbers as numbers). */
export function outputValue(field: Pick<CustomField, 'type'>, stored: string | null | undefined): unknown {
  if (stored === null || stored === undefined) return null;
  return field.type === 'NUMBER' ? Number(stored) : stored;
}

/** What a filter's `equals` compares with: the same canonical text, or null (matches nothing). */
export function filterText(equals: unknown): string | null {
  if (typeof equals === 'string') return equals;
  if (typeof equals === 'number' && Number.isFinite(equals)) return String(equals);
  return null;
}

/**
 * The project's fields, locked FOR KEY SHARE after the issue (a field deleted first is simply
 * absent; a deletion or option rename that comes later waits for this transaction).
 */
export function lockProjectFields(tx: Tx, projectId: string): Promise<CustomField[]> {
  return tx.$queryRaw<CustomField[]>`${lockedFieldsSql(projectId)}`;
}

function lockedFieldsSql(projectId: string): Prisma.Sql {
  return Prisma.sql`
    SELECT id, org_id AS "orgId", project_id AS "projectId", name, type::text AS type, coalesce(options, '{}') AS options, required, created_at AS "createdAt"
    FROM custom_fields WHERE project_id = ${projectId}::uuid ORDER BY created_at, id FOR KEY SHARE`;
}

/**
 * lockProjectFields as a JSON column of another statement (createIssue's reads after the
 * project lock), in the same order and with the same locks; read it with fieldsOfJson.
 */
export function lockedFieldsJsonSql(projectId: string): Prisma.Sql {
  return Prisma.sql`(SELECT coalesce(json_agg(f ORDER BY f."createdAt", f.id), '[]'::json) FROM (${lockedFieldsSql(projectId)}) f)`;
}

export function fieldsOfJson(raw: unknown): CustomField[] {
  const rows = (typeof raw === 'string' ? JSON.parse(raw) : raw) as (Omit<CustomField, 'createdAt'> & { createdAt: string })[];
  return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) }));
}

/**
 * Validates and writes `commands` on one issue: one history draft per changed field (none for
 * a value set to what it was). `creating`: the issue is new, so every required field needs a
 * value. Clearing a required field is refused. The caller bumps the version if drafts come back.
 */
export async function writeFieldValues(
  tx: Tx,
  orgId: string,
  issue: { readonly id: string; readonly projectId: string },
  fields: readonly CustomField[],
  commands: readonly FieldValueCommand[],
  arg: string,
  creating = false,
): Promise<EventDraft[]> {
  if (commands.length > MAX_FIELDS_PER_PROJECT) throw badInput(arg, `At most ${MAX_FIELDS_PER_PROJECT} values at once`);
  const byId = new Map(fields.map((field) => [field.id, field]));
  const seen = new Set<string>();
  const wanted = new Map<string, Canonical | null>();
  for (const command of commands) {
    if (seen.has(command.fieldId)) throw badInput(arg, 'Each field may appear once');
    seen.add(command.fieldId);
    const field = byId.get(command.fieldId);
    if (!field) throw notFound('CustomField', arg);
    if (command.value === null || command.value === undefined) {
      if (field.required) throw badInput(arg, `${field.name} is required`);
      wanted.set(field.id, null);
    } else {
      wanted.set(field.id, await canonical(tx, orgId, field, command.value, arg));
    }
  }
  if (creating) {
    const missing = fields.find((field) => field.required && !wanted.get(field.id));
    if (missing) throw badInput(arg, `${missing.name} is required`);
  }
  if (wanted.size === 0) return [];
  const current = creating
    ? new Map<string, string>()
    : new Map(
        (await tx.customFieldValue.findMany({ where: { orgId, issueId: issue.id, fieldId: { in: [...wanted.keys()] } }, select: { fieldId: true, value: true } })).map(
          (row) => [row.fieldId, row.value],
        ),
      );
  const events: EventDraft[] = [];
  const upserts: { fieldId: string; value: string; userId: string | null }[] = [];
  const removals: string[] = [];
  for (const [fieldId, next] of wanted) {
    const previous = current.get(fieldId) ?? null;
    if ((next?.value ?? null) === previous) continue;
    const field = byId.get(fieldId)!;
    if (next) upserts.push({ fieldId, value: next.value, userId: next.userId });
    else removals.push(fieldId);
    if (!creating) {
      events.push({
        issueId: issue.id,
        projectId: issue.projectId,
        kind: 'UPDATED',
        field: `customField:${toGlobalId('CustomField', fieldId)}`,
        from: outputValue(field, previous),
        to: outputValue(field, next?.value),
      });
    }
  }
  if (removals.length > 0) await tx.customFieldValue.deleteMany({ where: { orgId, issueId: issue.id, fieldId: { in: removals } } });
  if (upserts.length > 0) {
    await tx.$executeRaw`
      INSERT INTO custom_field_values (org_id, issue_id, field_id, value, user_id)
      SELECT ${orgId}::uuid, ${issue.id}::uuid, v.field_id, v.value, v.user_id
      FROM unnest(${upserts.map((u) => u.fieldId)}::uuid[], ${upserts.map((u) => u.value)}::text[], ${upserts.map((u) => u.userId)}::uuid[]) AS v(field_id, value, user_id)
      ON CONFLICT (org_id, issue_id, field_id) DO UPDATE SET value = EXCLUDED.value, user_id = EXCLUDED.user_id`;
  }
  return events;
}

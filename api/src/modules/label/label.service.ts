// Labels belong to a project; names are unique within it, colors are #RRGGBB.
import type { Label } from '../../generated/prisma/client';
import { AppError, badInput, notFound } from '../../errors/app-error';
import { isRetryableConflict } from '../../errors/database-errors';
import { requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { findProjectByKey } from '../project/project.service';
import { assertWritable } from '../project/project-writable';
import type { Tx } from '../../db/tx';
import { recordEvents } from '../history/history.service';
import { lockProjectEvents } from '../issue/issue-lookup';
import { recordAudit } from '../audit/audit.service';
import type { TenantScope } from '../../tenancy/scope';

const COLOR = /^#[0-9A-Fa-f]{6}$/;

function cleanName(rawName: string): string {
  const name = rawName.trim();
  if (name.length < 1 || name.length > 50) throw badInput('name', 'Label name must be 1 to 50 characters long');
  return name;
}

function cleanColor(color: string): string {
  if (!COLOR.test(color)) throw badInput('color', 'Color must be #RRGGBB');
  return color.toUpperCase();
}

function nameTaken(error: unknown, name: string, projectKey: string): unknown {
  const taken = error instanceof AppError && error.code === 'CONFLICT' && !isRetryableConflict(error);
  return taken ? new AppError('CONFLICT', `Label ${name} already exists in ${projectKey}`, { field: 'name' }) : error;
}

async function findLabel(tx: Tx, id: string) {
  const label = await tx.label.findFirst({ where: { id }, include: { project: true } });
  if (!label) throw notFound('Label', 'id');
  return label;
}

export async function createLabel(scope: TenantScope, projectKey: string, rawName: string, rawColor: string): Promise<Label> {
  requireRole(scope, 'label:manage');
  const name = cleanName(rawName);
  const color = cleanColor(rawColor);
  try {
    return await scope.db.run(async (tx) => {
      const project = await findProjectByKey(tx, scope.orgId, projectKey);
      assertWritable(project);
      return tx.label.create({ data: { orgId: scope.orgId, projectId: project.id, name, color } });
    });
  } catch (error) {
    throw nameTaken(error, name, projectKey);
  }
}

/** Renaming or recoloring changes no issue, so it writes no issue history. */
export async function updateLabel(scope: TenantScope, id: string, input: { name?: string | null; color?: string | null }): Promise<Label> {
  requireRole(scope, 'label:manage');
  const name = input.name == null ? undefined : cleanName(input.name);
  const color = input.color == null ? undefined : cleanColor(input.color);
  let projectKey = '';
  try {
    return await scope.db.run(async (tx) => {
      const label = await findLabel(tx, id);
      projectKey = label.project.key;
      assertWritable(label.project);
      if (name === undefined && color === undefined) return label;
      return tx.label.update({ where: { id }, data: { ...(name !== undefined ? { name } : {}), ...(color !== undefined ? { color } : {}) } });
    });
  } catch (error) {
    throw nameTaken(error, name ?? '', projectKey);
  }
}

/**
 * Takes the label off every live issue that carries it, as an edit of each issue's labels
 * (version bump and an UPDATED event, so history, realtime and webhooks see it), then deletes
 * it. The issues are locked in id order, the order every multi-issue write here uses.
 */
export async function deleteLabel(scope: TenantScope, id: string): Promise<boolean> {
  requireRole(scope, 'label:manage');
  return scope.db.run(async (tx) => {
    const label = await findLabel(tx, id);
    assertWritable(label.project);
    // The project's event lock before any issue row, the order every writer keeps.
    await lockProjectEvents(tx, label.projectId);
    const carriers = await tx.$queryRaw<{ id: string }[]>`
      SELECT i.id FROM issues i JOIN issue_labels il ON il.org_id = i.org_id AND il.issue_id = i.id
      WHERE il.label_id = ${id}::uuid AND i.deleted_at IS NULL ORDER BY i.id FOR UPDATE OF i`;
    const issueIds = carriers.map((row) => row.id);
    if (issueIds.length > 0) {
      const rows = await tx.issueLabel.findMany({ where: { issueId: { in: issueIds } }, select: { issueId: true, labelId: true }, orderBy: [{ issueId: 'asc' }, { labelId: 'asc' }] });
      const labelsOf = new Map<string, string[]>();
      for (const row of rows) labelsOf.set(row.issueId, [...(labelsOf.get(row.issueId) ?? []), row.labelId]);
      await tx.issue.updateMany({ where: { id: { in: issueIds } }, data: { version: { increment: 1 }, updatedAt: new Date() } });
      await recordEvents(
        tx,
        scope.orgId,
        scope.userId,
        issueIds.map((issueId) => {
          const previous = labelsOf.get(issueId) ?? [];
          return {
            issueId,
            projectId: label.projectId,
            kind: 'UPDATED' as const,
            field: 'labels',
            from: previous.map((labelId) => toGlobalId('Label', labelId)),
            to: previous.filter((labelId) => labelId !== id).map((labelId) => toGlobalId('Label', labelId)),
          };
        }),
      );
    }
    await tx.label.delete({ where: { id } });
    await recordAudit(tx, scope, { action: 'label.deleted', targetId: toGlobalId('Label', id), data: { project: label.project.key, name: label.name, issues: issueIds.length } });
    return true;
  });
}

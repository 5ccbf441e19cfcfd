// Labels belong to a project; names are unique within it, colors are #RRGGBB.
import type { Label } from '../../generated/prisma/client';
import { AppError, badInput } from '../../errors/app-error';
import { isRetryableConflict } from '../../db/database-errors';
import type { TenantDb } from '../../db/tenant-db';
import { requireRole } from '../../auth/roles';
import type { Actor } from '../organization/organization.service';
import { assertWritable, findProjectByKey } from '../project/project.service';

const COLOR = /^#[0-9A-Fa-f]{6}$/;

export async function createLabel(actor: Actor, db: TenantDb, projectKey: string, rawName: string, color: string): Promise<Label> {
  requireRole(actor, 'label:manage');
  const name = rawName.trim();
  if (name.length < 1 || name.length > 50) throw badInput('name', 'Label name must be 1 to 50 characters long');
  if (!COLOR.test(color)) throw badInput('color', 'Color must be #RRGGBB');
  try {
    return await db.run(async (tx) => {
      const project = await findProjectByKey(tx, actor.orgId, projectKey);
      assertWritable(project);
      return tx.label.create({ data: { orgId: actor.orgId, projectId: project.id, name, color: color.toUpperCase() } });
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT' && !isRetryableConflict(error)) throw new AppError('CONFLICT', `Label ${name} already exists in ${projectKey}`, { field: 'name' });
    throw error;
  }
}

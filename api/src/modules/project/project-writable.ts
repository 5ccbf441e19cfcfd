// An archived project is read-only: every write into a project asks this first.
import type { Project } from '../../generated/prisma/client';
import { AppError } from '../../errors/app-error';

export function assertWritable(project: Pick<Project, 'key' | 'archivedAt'>): void {
  if (project.archivedAt) throw new AppError('BAD_USER_INPUT', `Project ${project.key} is archived and read-only`, { field: 'projectKey' });
}

// Finding issues by key inside a transaction, optionally locking the row for a write.
import type { Issue, Project } from '../../generated/prisma/client';
import { notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { parseIssueKey } from './issue-key';

export type IssueWithProject = Issue & { project: Project };

/** A live (not deleted) issue by key, or NOT_FOUND naming `field`. */
export async function findIssueByKey(tx: Tx, orgId: string, key: string, field = 'key'): Promise<IssueWithProject> {
  const { projectKey, number } = parseIssueKey(key, field);
  const issue = await tx.issue.findFirst({
    where: { orgId, number, deletedAt: null, project: { orgId, key: projectKey } },
    include: { project: true },
  });
  if (!issue) throw notFound('Issue', field);
  return issue;
}

/** Like findIssueByKey, holding the row lock until the transaction ends. */
export async function lockIssueByKey(tx: Tx, orgId: string, key: string, field = 'key'): Promise<IssueWithProject> {
  const { projectKey, number } = parseIssueKey(key, field);
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT i.id FROM issues i JOIN projects p ON p.id = i.project_id
    WHERE i.org_id = ${orgId}::uuid AND p.org_id = ${orgId}::uuid AND p.key = ${projectKey} AND i.number = ${number} AND i.deleted_at IS NULL
    FOR UPDATE OF i`;
  if (locked.length === 0) throw notFound('Issue', field);
  return tx.issue.findUniqueOrThrow({ where: { id: locked[0]!.id }, include: { project: true } });
}

/** Serializes writes that order issues within a project (numbers, ranks). */
export async function lockProject(tx: Tx, projectId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM projects WHERE id = ${projectId}::uuid FOR UPDATE`;
}

export function projectOf(issue: IssueWithProject): Project {
  return issue.project;
}

// Comments: members write them; only the author edits; the author or an ADMIN deletes.
import type { Comment } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import { countRowsPerParent, firstRowsPerParent } from '../../db/first-rows';
import { badInput, forbidden, notFound } from '../../errors/app-error';
import type { TenantDb } from '../../tenancy/tenant-db';
import type { Tx } from '../../db/tx';
import { can, requireRole } from '../../auth/roles';
import { toGlobalId } from '../../graphql/global-id';
import { connectionOfPage, keysetCursorOf, type ConnectionShape, type FirstPageSource, type PageRequest } from '../../graphql/pagination';
import { keysetQuery } from '../../db/keyset';
import { assertWritable } from '../project/project-writable';
import { mentionDrafts } from '../notification/notification.service';
import { recordEvents } from '../history/history.service';
import { findIssueForWrite, lockProjectEvents } from '../issue/issue-lookup';
import type { TenantScope } from '../../tenancy/scope';

export const COMMENT_MAX = 50_000;

function cleanBody(body: string): string {
  if (body.trim().length < 1 || body.length > COMMENT_MAX) throw badInput('body', `Comment must be 1 to ${COMMENT_MAX} characters long`);
  return body;
}

/** A comment on a live issue of a writable project, or NOT_FOUND. */
async function findComment(tx: Tx, orgId: string, id: string) {
  const comment = await tx.comment.findFirst({ where: { id, orgId, issue: { deletedAt: null } }, include: { issue: { include: { project: true } } } });
  if (!comment) throw notFound('Comment', 'id');
  return comment;
}

export async function addComment(scope: TenantScope, issueKey: string, rawBody: string): Promise<Comment> {
  requireRole(scope, 'comment:write');
  const body = cleanBody(rawBody);
  return scope.db.run(async (tx) => {
    const issue = await findIssueForWrite(tx, scope.orgId, issueKey, 'issueKey');
    assertWritable(issue.project);
    const comment = await tx.comment.create({ data: { orgId: scope.orgId, issueId: issue.id, authorId: scope.userId, body } });
    await recordEvents(tx, scope.orgId, scope.userId, [
      { issueId: issue.id, projectId: issue.projectId, kind: 'COMMENTED', to: { commentId: toGlobalId('Comment', comment.id) } },
    ], mentionDrafts(issue.id, body));
    return comment;
  });
}

export async function updateComment(scope: TenantScope, id: string, rawBody: string): Promise<Comment> {
  requireRole(scope, 'comment:write');
  const body = cleanBody(rawBody);
  return scope.db.run(async (tx) => {
    const comment = await findComment(tx, scope.orgId, id);
    if (comment.authorId !== scope.userId) throw forbidden('Only the author can edit a comment');
    assertWritable(comment.issue.project);
    await lockProjectEvents(tx, comment.issue.projectId);
    const updated = await tx.comment.update({ where: { id }, data: { body, editedAt: new Date() } });
    await recordEvents(tx, scope.orgId, scope.userId, [
      { issueId: comment.issueId, projectId: comment.issue.projectId, kind: 'COMMENT_EDITED', to: { commentId: toGlobalId('Comment', id) } },
    ], mentionDrafts(comment.issueId, body, comment.body));
    return updated;
  });
}

export async function deleteComment(scope: TenantScope, id: string): Promise<boolean> {
  requireRole(scope, 'read');
  return scope.db.run(async (tx) => {
    const comment = await findComment(tx, scope.orgId, id);
    const isAuthor = comment.authorId === scope.userId && can(scope.role, 'comment:write');
    if (!isAuthor && !can(scope.role, 'member:manage')) throw forbidden('Only the author or an ADMIN can delete a comment');
    assertWritable(comment.issue.project);
    await lockProjectEvents(tx, comment.issue.projectId);
    await tx.comment.delete({ where: { id } });
    await recordEvents(tx, scope.orgId, scope.userId, [
      { issueId: comment.issueId, projectId: comment.issue.projectId, kind: 'COMMENT_DELETED', from: { commentId: toGlobalId('Comment', id) } },
    ]);
    return true;
  });
}

const commentCursor = (comment: Comment) => [comment.createdAt.toISOString(), comment.id];

/** Oldest first, as a conversation reads. `batch` serves first pages when many issues ask. */
export async function listComments(
  db: TenantDb,
  issueId: string,
  page: PageRequest,
  batch?: FirstPageSource<Comment>,
): Promise<ConnectionShape<Comment>> {
  const cursor = keysetCursorOf(page, ['timestamp', 'uuid']);
  if (!cursor && !page.backward && batch) return connectionOfPage(await batch.firstPage(issueId, page.size + 1), page, commentCursor, () => batch.count(issueId));
  const where = { issueId };
  const keyset = keysetQuery(['createdAt', 'id'], 'asc', page, cursor && [new Date(cursor[0]!), cursor[1]]);
  const rows = await db.read((tx) => tx.comment.findMany({ where: { AND: [where, keyset.where ?? {}] }, orderBy: keyset.orderBy, take: keyset.take }));
  return connectionOfPage(rows, page, commentCursor, () => db.read((tx) => tx.comment.count({ where })));
}

const FIRST_COMMENTS = {
  from: Prisma.sql`comments t`,
  parent: Prisma.sql`t.issue_id`,
  order: Prisma.sql`t.created_at, t.id`,
  columns: Prisma.sql`t.id, t.org_id AS "orgId", t.issue_id AS "issueId", t.author_id AS "authorId", t.body, t.created_at AS "createdAt", t.edited_at AS "editedAt"`,
};

/** The first `take` comments of each issue, in one statement (listComments' order). */
export function firstCommentsOf(tx: Tx, issueIds: readonly string[], take: number): Promise<Comment[]> {
  return firstRowsPerParent<Comment>(tx, FIRST_COMMENTS, issueIds, take);
}

export function commentCountsOf(tx: Tx, issueIds: readonly string[]): Promise<{ parentId: string; count: number }[]> {
  return countRowsPerParent(tx, FIRST_COMMENTS, issueIds);
}

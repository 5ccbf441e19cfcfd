// The per-request DataLoaders, one per relation a field can follow. Created with the tenant,
// so every batch runs under the tenant's row-level security.
import type { CustomField, CustomFieldValue, Issue, IssueLink, Label, Project, Sprint, User, WorkflowState } from '../generated/prisma/client';
import type { TenantDb } from '../tenancy/tenant-db';
import { completedAttachmentsOf } from '../modules/attachment/attachment.service';
import { commentCountsOf, firstCommentsOf } from '../modules/comment/comment.service';
import { eventCountsOf, newestEventsOf } from '../modules/history/history.service';
import { IssuePageBatch } from '../modules/issue/issue-page-batch';
import { countLoader, firstPageLoader, firstPageSource, groupLoader, rowLoader } from './batch-loader';

/** What the API ever shows of a user. */
export type PublicUser = Pick<User, 'id' | 'email' | 'name' | 'createdAt'>;

export function createLoaders(db: TenantDb) {
  const ids = <K>(keys: readonly K[]) => ({ in: [...keys] });
  return {
    /** Public columns only: a password hash has no business in a request's memory. */
    user: rowLoader<string, PublicUser>(
      db,
      (tx, keys) => tx.user.findMany({ where: { id: ids(keys) }, select: { id: true, email: true, name: true, createdAt: true } }),
      (u) => u.id,
    ),
    /** Users who are members of this organization (mentions name only members); others read as none. */
    member: rowLoader<string, PublicUser>(
      db,
      async (tx, keys) => {
        const rows = await tx.membership.findMany({ where: { orgId: db.orgId, userId: ids(keys) }, select: { user: { select: { id: true, email: true, name: true, createdAt: true } } } });
        return rows.map((row) => row.user);
      },
      (u) => u.id,
    ),
    project: rowLoader<string, Project>(db, (tx, keys) => tx.project.findMany({ where: { id: ids(keys) } }), (p) => p.id),
    state: rowLoader<string, WorkflowState>(db, (tx, keys) => tx.workflowState.findMany({ where: { id: ids(keys) } }), (s) => s.id),
    sprint: rowLoader<string, Sprint>(db, (tx, keys) => tx.sprint.findMany({ where: { id: ids(keys) } }), (s) => s.id),
    /** Live issues only: a deleted parent reads as none. */
    issue: rowLoader<string, Issue>(db, (tx, keys) => tx.issue.findMany({ where: { id: ids(keys), deletedAt: null } }), (i) => i.id),
    statesByProject: groupLoader<string, WorkflowState>(
      db,
      (tx, keys) => tx.workflowState.findMany({ where: { projectId: ids(keys) }, orderBy: { position: 'asc' } }),
      (s) => s.projectId,
    ),
    transitionTargets: groupLoader<string, WorkflowState & { fromStateId: string }>(
      db,
      async (tx, keys) => {
        const transitions = await tx.workflowTransition.findMany({ where: { fromStateId: ids(keys) }, include: { to: true }, orderBy: { to: { position: 'asc' } } });
        return transitions.map((t) => ({ ...t.to, fromStateId: t.fromStateId }));
      },
      (s) => s.fromStateId,
    ),
    labelsByProject: groupLoader<string, Label>(
      db,
      (tx, keys) => tx.label.findMany({ where: { projectId: ids(keys) }, orderBy: { name: 'asc' } }),
      (l) => l.projectId,
    ),
    labelsByIssue: groupLoader<string, Label & { issueId: string }>(
      db,
      async (tx, keys) => {
        const rows = await tx.issueLabel.findMany({ where: { issueId: ids(keys) }, include: { label: true }, orderBy: { label: { name: 'asc' } } });
        return rows.map((row) => ({ ...row.label, issueId: row.issueId }));
      },
      (l) => l.issueId,
    ),
    sprintsByProject: groupLoader<string, Sprint>(
      db,
      (tx, keys) => tx.sprint.findMany({ where: { projectId: ids(keys) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (s) => s.projectId,
    ),
    childrenByIssue: groupLoader<string, Issue>(
      db,
      (tx, keys) => tx.issue.findMany({ where: { parentId: ids(keys), deletedAt: null }, orderBy: { rank: 'asc' } }),
      (i) => i.parentId!,
    ),
    attachmentsByIssue: groupLoader(db, completedAttachmentsOf, (a) => a.issueId),
    watcherIdsByIssue: groupLoader<string, { issueId: string; userId: string }>(
      db,
      (tx, keys) => tx.issueWatcher.findMany({ where: { issueId: ids(keys) }, orderBy: { createdAt: 'asc' }, select: { issueId: true, userId: true } }),
      (w) => w.issueId,
    ),
    customFieldsByProject: groupLoader<string, CustomField>(
      db,
      (tx, keys) => tx.customField.findMany({ where: { projectId: ids(keys) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (f) => f.projectId,
    ),
    customValuesByIssue: groupLoader<string, CustomFieldValue>(
      db,
      (tx, keys) => tx.customFieldValue.findMany({ where: { issueId: ids(keys) } }),
      (v) => v.issueId,
    ),
    /** First pages of issues for lists of projects or sprints. */
    issuePages: new IssuePageBatch(db),
    /** First pages of each issue's comments and history (for lists of issues). */
    comments: firstPageSource(firstPageLoader(db, firstCommentsOf, (c) => c.issueId), countLoader(db, commentCountsOf)),
    history: firstPageSource(firstPageLoader(db, newestEventsOf, (e) => e.issueId), countLoader(db, eventCountsOf)),
    /** Links touching each issue, both directions; the `key` is the issue asked about. */
    linksByIssue: groupLoader<string, IssueLink & { key: string }>(
      db,
      async (tx, keys) => {
        const links = await tx.issueLink.findMany({
          where: { OR: [{ fromIssueId: ids(keys) }, { toIssueId: ids(keys) }], from: { deletedAt: null }, to: { deletedAt: null } },
          orderBy: { createdAt: 'asc' },
        });
        const wanted = new Set(keys);
        return links.flatMap((link) => [link.fromIssueId, link.toIssueId].filter((id) => wanted.has(id)).map((key) => ({ ...link, key })));
      },
      (l) => l.key,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

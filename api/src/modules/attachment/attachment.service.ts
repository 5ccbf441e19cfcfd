// Attachments: a MEMBER asks for an upload URL, sends the bytes straight to the object store,
// then completes the upload; only then, after the store confirms size and type, is the
// attachment visible. The uploader or an ADMIN deletes it; the object goes after the commit.
import type { Attachment } from '../../generated/prisma/client';
import type { AttachmentSettings } from '../../config';
import { AppError, badInput, forbidden, notFound } from '../../errors/app-error';
import type { TenantDb } from '../../tenancy/tenant-db';
import type { Tx } from '../../db/tx';
import { can, requireRole } from '../../auth/roles';
import { assertWritable } from '../project/project-writable';
import { lockIssueByKey } from '../issue/issue-lookup';
import { objectKeyOf, type ObjectStore, type PresignedUpload } from './object-store';
import { enqueueObjectDeletes, scheduleUploadExpiry } from './attachment-jobs';
import type { TenantScope } from '../../tenancy/scope';

export const FILE_NAME_MAX = 255;

export interface AttachmentDeps {
  readonly store: ObjectStore;
  readonly settings: AttachmentSettings;
}

export interface AttachmentUpload extends PresignedUpload {
  readonly attachment: Attachment;
}

export interface UploadRequest {
  readonly issueKey: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
}

function cleanFileName(raw: string): string {
  const name = raw.trim();
  // Control characters and path separators have no business in a name shown to others.
  if (name.length < 1 || name.length > FILE_NAME_MAX || /[\u0000-\u001f\u007f/\\]/.test(name)) {
    throw badInput('fileName', `fileName must be 1 to ${FILE_NAME_MAX} characters, without control characters or slashes`);
  }
  return name;
}

function cleanContentType(raw: string, allowed: readonly string[]): string {
  const type = raw.trim().toLowerCase();
  if (!allowed.includes(type)) throw badInput('contentType', `contentType must be one of: ${allowed.join(', ')}`);
  return type;
}

export async function createAttachmentUpload(scope: TenantScope, deps: AttachmentDeps, request: UploadRequest): Promise<AttachmentUpload> {
  requireRole(scope, 'issue:write');
  const { settings } = deps;
  const fileName = cleanFileName(request.fileName);
  const contentType = cleanContentType(request.contentType, settings.contentTypes);
  if (!Number.isSafeInteger(request.size) || request.size < 1 || request.size > settings.maxBytes) {
    throw badInput('size', `size must be 1 to ${settings.maxBytes} bytes`);
  }
  return scope.db.run(async (tx) => {
    // The issue's row lock serializes uploads to one issue, so the count below cannot be raced.
    const issue = await lockIssueByKey(tx, scope.orgId, request.issueKey, 'issueKey');
    assertWritable(issue.project);
    const held = await tx.attachment.count({ where: { orgId: scope.orgId, issueId: issue.id } });
    if (held >= settings.maxPerIssue) throw badInput('issueKey', `An issue holds at most ${settings.maxPerIssue} attachments (unfinished uploads count until they expire)`);
    const id = crypto.randomUUID();
    const objectKey = objectKeyOf(scope.orgId, issue.id, id);
    const upload = await deps.store.presignPut(objectKey, { size: request.size, contentType }, settings.uploadTtlSeconds);
    const attachment = await tx.attachment.create({
      data: { id, orgId: scope.orgId, issueId: issue.id, uploaderId: scope.userId, fileName, contentType, size: request.size, objectKey },
    });
    await scheduleUploadExpiry(tx, scope.orgId, id, upload.expiresAt);
    return { ...upload, attachment };
  });
}

async function findAttachment(tx: Tx, orgId: string, id: string) {
  const attachment = await tx.attachment.findFirst({ where: { id, orgId, issue: { deletedAt: null } }, include: { issue: { include: { project: true } } } });
  if (!attachment) throw notFound('Attachment', 'id');
  return attachment;
}

/** Makes the attachment visible once the store holds exactly what was declared. */
export async function completeAttachmentUpload(scope: TenantScope, deps: AttachmentDeps, id: string): Promise<Attachment> {
  requireRole(scope, 'issue:write');
  const attachment = await scope.db.read((tx) => findAttachment(tx, scope.orgId, id));
  if (attachment.uploaderId !== scope.userId) throw notFound('Attachment', 'id');
  if (attachment.completedAt) return withoutIssue(attachment);
  assertWritable(attachment.issue.project);
  // Asked outside any transaction: a slow store must not hold a database connection.
  const stored = await deps.store.head(attachment.objectKey);
  if (!stored) throw badInput('id', 'Nothing has been uploaded for this attachment yet');
  if (stored.size !== attachment.size || stored.contentType !== attachment.contentType) {
    throw new AppError('BAD_USER_INPUT', `The uploaded object does not match what was declared (${attachment.size} bytes of ${attachment.contentType})`, {
      field: 'id',
      details: { storedSize: stored.size, storedContentType: stored.contentType },
    });
  }
  return scope.db.run(async (tx) => {
    // Still there: the expiry sweep or a delete may have come first.
    const marked = await tx.attachment.updateMany({ where: { id, orgId: scope.orgId }, data: { completedAt: new Date() } });
    if (marked.count === 0) throw notFound('Attachment', 'id');
    return tx.attachment.findUniqueOrThrow({ where: { id } });
  });
}

function withoutIssue<T extends Attachment>(row: T & { issue?: unknown }): Attachment {
  const { issue: _issue, ...attachment } = row;
  return attachment as Attachment;
}

export async function deleteAttachment(scope: TenantScope, id: string): Promise<boolean> {
  requireRole(scope, 'read');
  return scope.db.run(async (tx) => {
    const attachment = await findAttachment(tx, scope.orgId, id);
    if (!attachment.completedAt && attachment.uploaderId !== scope.userId) throw notFound('Attachment', 'id');
    const isUploader = attachment.uploaderId === scope.userId && can(scope.role, 'issue:write');
    if (!isUploader && !can(scope.role, 'member:manage')) throw forbidden('Only the uploader or an ADMIN can delete an attachment');
    assertWritable(attachment.issue.project);
    await tx.attachment.delete({ where: { id } });
    await enqueueObjectDeletes(tx, [attachment.objectKey]);
    return true;
  });
}

/** Visible attachments of each issue, oldest first (Issue.attachments' DataLoader). */
export function completedAttachmentsOf(tx: Tx, issueIds: readonly string[]): Promise<Attachment[]> {
  return tx.attachment.findMany({ where: { issueId: { in: [...issueIds] }, completedAt: { not: null } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

/** For node(id:): a visible attachment on a live issue. */
export function findVisibleAttachment(db: TenantDb, id: string): Promise<Attachment | null> {
  return db.read((tx) => tx.attachment.findFirst({ where: { id, orgId: db.orgId, completedAt: { not: null }, issue: { deletedAt: null } } }));
}

/** Issues being deleted take their attachments along; their objects go after the commit. */
export async function dropAttachmentsOf(tx: Tx, orgId: string, where: { issueIds?: readonly string[]; projectId?: string }): Promise<void> {
  const filter = where.projectId ? { orgId, issue: { projectId: where.projectId } } : { orgId, issueId: { in: [...(where.issueIds ?? [])] } };
  const doomed = await tx.attachment.findMany({ where: filter, select: { id: true, objectKey: true } });
  if (doomed.length === 0) return;
  await tx.attachment.deleteMany({ where: { orgId, id: { in: doomed.map((a) => a.id) } } });
  await enqueueObjectDeletes(tx, doomed.map((a) => a.objectKey));
}

export function presignDownload(deps: AttachmentDeps, attachment: Attachment): Promise<string> {
  return deps.store.presignGet(attachment.objectKey, attachment.fileName, deps.settings.downloadTtlSeconds);
}

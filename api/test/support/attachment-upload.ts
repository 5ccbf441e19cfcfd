// Client side of the attachment protocol for tests: ask for an upload, PUT the bytes to the
// signed URL, complete it; and wait for the object-deletion jobs the API enqueued.
import type { RoleClient, OwnerSql } from './tracker-api';

export const CREATE_UPLOAD = `mutation($issueKey: String!, $fileName: String!, $contentType: String!, $size: Int!) {
  createAttachmentUpload(issueKey: $issueKey, fileName: $fileName, contentType: $contentType, size: $size) {
    attachment { id fileName contentType size } uploadUrl uploadHeaders expiresAt } }`;
export const COMPLETE_UPLOAD = `mutation($id: ID!) { completeAttachmentUpload(id: $id) { id fileName contentType size createdAt downloadUrl uploadedBy { id } issue { key } } }`;
export const DELETE_ATTACHMENT = `mutation($id: ID!) { deleteAttachment(id: $id) }`;
export const ISSUE_ATTACHMENTS = `query($key: String!) { issue(key: $key) { attachments { id fileName size downloadUrl } } }`;

export interface Upload {
  readonly attachment: { id: string; fileName: string; contentType: string; size: number };
  readonly uploadUrl: string;
  readonly uploadHeaders: Record<string, string>;
  readonly expiresAt: string;
}

/** Relative URLs (the filesystem store without ATTACHMENTS_PUBLIC_URL) resolve against the API. */
export function absolute(url: string, apiUrl: string): string {
  return new URL(url, apiUrl).toString();
}

export async function createUpload(client: RoleClient, issueKey: string, bytes: Buffer, fileName = 'notes.txt', contentType = 'text/plain'): Promise<Upload> {
  const data = await client.ok(CREATE_UPLOAD, { issueKey, fileName, contentType, size: bytes.length });
  return data.createAttachmentUpload as Upload;
}

export async function putBytes(upload: Upload, apiUrl: string, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = upload.uploadHeaders): Promise<Response> {
  const sent = { ...headers };
  // fetch sets the length of a buffer itself, and refuses a header that disagrees with it.
  delete sent['content-length'];
  const init: RequestInit & { duplex?: 'half' } = { method: 'PUT', headers: sent, body: body as NonNullable<RequestInit['body']> };
  if (!(body instanceof Buffer)) init.duplex = 'half';
  return fetch(absolute(upload.uploadUrl, apiUrl), init);
}

/** Uploads and completes: the attachment as the API then shows it. */
export async function attach(client: RoleClient, apiUrl: string, issueKey: string, bytes: Buffer, fileName = 'notes.txt', contentType = 'text/plain') {
  const upload = await createUpload(client, issueKey, bytes, fileName, contentType);
  const put = await putBytes(upload, apiUrl, bytes);
  if (put.status !== 200) throw new Error(`PUT answered ${put.status}: ${await put.text()}`);
  return (await client.ok(COMPLETE_UPLOAD, { id: upload.attachment.id })).completeAttachmentUpload;
}

/** Resolves once no job of `task` (with `payloadId` in its payload, if given) is waiting or running. */
export async function untilJobsDone(sql: OwnerSql, task: string, payloadId?: string): Promise<void> {
  for (;;) {
    const pending = await sql.count(
      'graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id',
      't.identifier = $1 AND j.attempts < j.max_attempts AND ($2::text IS NULL OR j.payload::text LIKE $3)',
      [task, payloadId ?? null, `%${payloadId ?? ''}%`],
    );
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

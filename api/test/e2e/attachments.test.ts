// Attachments over HTTP with the filesystem store: the signed-URL protocol end to end, the
// limits, and the abuse cases (oversized and mistyped bodies, tampered and expired URLs,
// other tenants, other members, too many files). Objects go through retried jobs after commit.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';
import { absolute, attach, COMPLETE_UPLOAD, CREATE_UPLOAD, createUpload, DELETE_ATTACHMENT, ISSUE_ATTACHMENTS, putBytes, untilJobsDone } from '../support/attachment-upload';
import { signUrl } from '../../src/modules/attachment/url-signature';
import { OBJECT_DELETE_TASK, UPLOAD_EXPIRY_TASK } from '../../src/modules/attachment/attachment-jobs';
import { fromGlobalId } from '../../src/graphql/global-id';

const SECRET = 'attachments-test-signing-secret-0123456789';
const MAX_BYTES = 4096;
const MAX_PER_ISSUE = 3;

let api: TestApi;
let apiUrl: string;
let directory: string;
let org: TestOrg;
let other: TestOrg;
let member: RoleClient;
let sql: OwnerSql;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'attachments-'));
  api = await startTestApi('attachments', {
    ATTACHMENTS_DIR: directory,
    ATTACHMENTS_SIGNING_SECRET: SECRET,
    ATTACHMENT_MAX_BYTES: String(MAX_BYTES),
    ATTACHMENT_MAX_PER_ISSUE: String(MAX_PER_ISSUE),
    WEBHOOK_POLL_INTERVAL_MS: '50',
  });
  apiUrl = api.server.url;
  org = await createOrg(api.client, 'att');
  other = await createOrg(api.client, 'oth');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  await createProject(api.client, org, 'ATT');
  await createProject(api.client, other, 'OTH');
  for (let i = 0; i < 8; i++) await createIssue(api.client, org, { projectKey: 'ATT', title: `Issue ${i}` });
  await createIssue(api.client, other, { projectKey: 'OTH', title: 'Theirs' });
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
  rmSync(directory, { recursive: true, force: true });
});

const fileOf = (id: string) => {
  const [row] = [fromGlobalId('Attachment', id, 'id')];
  return sql.query<{ object_key: string }>('SELECT object_key FROM attachments WHERE id = $1', [row]).then((rows) => rows[0] && join(directory, ...rows[0].object_key.split('/')));
};

test('a MEMBER uploads through the signed URL, completes, and the file shows on the issue with a working download URL', async () => {
  const bytes = Buffer.from('hello attachments\n');
  const upload = await createUpload(member, 'ATT-1', bytes, 'read me.txt');
  expect(upload.uploadHeaders).toEqual({ 'content-type': 'text/plain', 'content-length': String(bytes.length) });
  expect(new Date(upload.expiresAt).getTime()).toBeGreaterThan(Date.now());
  // Invisible until completed: not on the issue, not a node.
  expect((await member.ok(ISSUE_ATTACHMENTS, { key: 'ATT-1' })).issue.attachments).toEqual([]);
  expect((await member.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: upload.attachment.id })).node).toBeNull();

  expect((await putBytes(upload, apiUrl, bytes)).status).toBe(200);
  // Write-once: the same URL cannot swap the bytes afterwards.
  expect((await putBytes(upload, apiUrl, Buffer.from('HELLO ATTACHMENTS\n'))).status).toBe(409);
  const done = (await member.ok(COMPLETE_UPLOAD, { id: upload.attachment.id })).completeAttachmentUpload;
  expect(done).toMatchObject({ id: upload.attachment.id, fileName: 'read me.txt', contentType: 'text/plain', size: bytes.length, uploadedBy: { id: org.users.MEMBER.id }, issue: { key: 'ATT-1' } });

  const listed = (await clientAs(api, org, 'VIEWER').ok(ISSUE_ATTACHMENTS, { key: 'ATT-1' })).issue.attachments;
  expect(listed.map((a: any) => a.id)).toEqual([upload.attachment.id]);
  const download = await fetch(absolute(listed[0].downloadUrl, apiUrl));
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('text/plain');
  expect(download.headers.get('content-disposition')).toContain(`filename*=UTF-8''read%20me.txt`);
  expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  const node = await member.ok(`query($id: ID!) { node(id: $id) { ... on Attachment { id fileName } } }`, { id: upload.attachment.id });
  expect(node.node).toEqual({ id: upload.attachment.id, fileName: 'read me.txt' });
  // The object key is the tenant, the issue and the attachment: never the user's file name.
  const [row] = await sql.query<{ object_key: string }>('SELECT object_key FROM attachments WHERE id = $1', [fromGlobalId('Attachment', upload.attachment.id, 'id')]);
  expect(row!.object_key).toMatch(new RegExp(`^${fromGlobalId('Organization', org.id, 'id')}/[0-9a-f-]{36}/${fromGlobalId('Attachment', upload.attachment.id, 'id')}$`));
});

test('createAttachmentUpload refuses a disallowed type, a size over the limit, a bad name, a VIEWER and another tenant\'s issue', async () => {
  const before = await sql.count('attachments');
  const ask = (client: RoleClient, vars: Record<string, unknown>) =>
    client.request(CREATE_UPLOAD, { issueKey: 'ATT-2', fileName: 'a.txt', contentType: 'text/plain', size: 10, ...vars });
  expect(refusal(await ask(member, { contentType: 'text/html' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'contentType' });
  expect(refusal(await ask(member, { size: MAX_BYTES + 1 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'size' });
  expect(refusal(await ask(member, { size: 0 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'size' });
  expect(refusal(await ask(member, { fileName: '../../etc/passwd' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'fileName' });
  expect(refusal(await ask(member, { fileName: 'x'.repeat(256) }))).toEqual({ code: 'BAD_USER_INPUT', field: 'fileName' });
  expect(refusal(await ask(clientAs(api, org, 'VIEWER'), {})).code).toBe('FORBIDDEN');
  expect(refusal(await ask(member, { issueKey: 'OTH-1' }))).toEqual({ code: 'NOT_FOUND', field: 'issueKey' });
  expect(await sql.count('attachments')).toBe(before);
});

test('an issue holds at most ATTACHMENT_MAX_PER_ISSUE attachments, unfinished uploads included', async () => {
  for (let i = 0; i < MAX_PER_ISSUE; i++) await createUpload(member, 'ATT-3', Buffer.from('x'));
  const refused = await member.request(CREATE_UPLOAD, { issueKey: 'ATT-3', fileName: 'one-more.txt', contentType: 'text/plain', size: 1 });
  expect(refusal(refused)).toEqual({ code: 'BAD_USER_INPUT', field: 'issueKey' });
});

test('the store refuses a body larger than declared, by Content-Length or while streaming, and the attachment stays invisible', async () => {
  const declared = Buffer.from('0123456789');
  const upload = await createUpload(member, 'ATT-4', declared);
  expect((await putBytes(upload, apiUrl, Buffer.alloc(declared.length + 1, 1))).status).toBe(413);
  // No Content-Length (chunked): the byte limit cuts it off without buffering.
  const chunked = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(declared.length));
      controller.close();
    },
  });
  const streamed = await putBytes(upload, apiUrl, chunked).catch((error: unknown) => error);
  // The server may answer 413 or close the socket mid-send; either way nothing is stored.
  if (streamed instanceof Response) expect(streamed.status).toBe(413);
  expect(refusal(await member.request(COMPLETE_UPLOAD, { id: upload.attachment.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  // A shorter body is refused too.
  expect((await putBytes(upload, apiUrl, declared.subarray(0, 5), { 'content-type': 'text/plain' })).status).toBe(400);
  expect((await member.ok(ISSUE_ATTACHMENTS, { key: 'ATT-4' })).issue.attachments).toEqual([]);
  expect(await fileOf(upload.attachment.id).then((path) => path && existsSync(path))).toBe(false);
});

test('the store refuses another Content-Type, a tampered URL and an expired one', async () => {
  const bytes = Buffer.from('{"a":1}');
  const upload = await createUpload(member, 'ATT-5', bytes, 'a.json', 'application/json');
  expect((await putBytes(upload, apiUrl, bytes, { 'content-type': 'text/html' })).status).toBe(400);
  const url = new URL(absolute(upload.uploadUrl, apiUrl));
  url.searchParams.set('size', String(MAX_BYTES));
  expect((await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(MAX_BYTES) })).status).toBe(403);
  url.searchParams.set('size', String(bytes.length));
  url.searchParams.set('signature', 'A'.repeat(43));
  expect((await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: bytes })).status).toBe(403);
  // Correctly signed, but expired a minute ago.
  const key = decodeURIComponent(url.pathname.replace('/attachments/objects/', ''));
  const expires = Math.floor(Date.now() / 1000) - 60;
  const signature = signUrl(Buffer.from(SECRET), { method: 'PUT', key, expires, terms: [String(bytes.length), 'application/json'] });
  const expired = new URL(url);
  expired.search = new URLSearchParams({ expires: String(expires), size: String(bytes.length), type: 'application/json', signature }).toString();
  const refused = await fetch(expired, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: bytes });
  expect(refused.status).toBe(403);
  expect(await refused.json()).toEqual({ error: 'This URL has expired' });
  expect(refusal(await member.request(COMPLETE_UPLOAD, { id: upload.attachment.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });

  // A download URL with another name (or for another object) is refused as well.
  const done = await attach(member, apiUrl, 'ATT-5', bytes, 'b.json', 'application/json');
  const download = new URL(absolute(done.downloadUrl, apiUrl));
  download.searchParams.set('name', 'evil.html');
  expect((await fetch(download)).status).toBe(403);
});

test('another tenant cannot complete, delete or see an attachment', async () => {
  const done = await attach(member, apiUrl, 'ATT-6', Buffer.from('secret'));
  const outsider = clientAs(api, other, 'OWNER');
  expect(refusal(await outsider.request(COMPLETE_UPLOAD, { id: done.id })).code).toBe('NOT_FOUND');
  expect(refusal(await outsider.request(DELETE_ATTACHMENT, { id: done.id })).code).toBe('NOT_FOUND');
  expect((await outsider.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: done.id })).node).toBeNull();
  expect(await sql.count('attachments', 'id = $1', [fromGlobalId('Attachment', done.id, 'id')])).toBe(1);
});

test('only the uploader or an ADMIN deletes an attachment; its object is deleted after the commit', async () => {
  const done = await attach(member, apiUrl, 'ATT-7', Buffer.from('mine'));
  const path = await fileOf(done.id);
  expect(existsSync(path!)).toBe(true);
  const owners = await attach(clientAs(api, org, 'OWNER'), apiUrl, 'ATT-7', Buffer.from('owner'));
  expect(refusal(await member.request(DELETE_ATTACHMENT, { id: owners.id }))).toMatchObject({ code: 'FORBIDDEN' });
  expect(refusal(await clientAs(api, org, 'VIEWER').request(DELETE_ATTACHMENT, { id: done.id })).code).toBe('FORBIDDEN');
  expect((await clientAs(api, org, 'ADMIN').ok(DELETE_ATTACHMENT, { id: owners.id })).deleteAttachment).toBe(true);
  expect((await member.ok(DELETE_ATTACHMENT, { id: done.id })).deleteAttachment).toBe(true);
  await untilJobsDone(sql, OBJECT_DELETE_TASK);
  expect(existsSync(path!)).toBe(false);
  expect((await member.ok(ISSUE_ATTACHMENTS, { key: 'ATT-7' })).issue.attachments).toEqual([]);
});

test('deleting an issue or a project deletes its attachments and their objects', async () => {
  const onIssue = await attach(member, apiUrl, 'ATT-8', Buffer.from('issue file'));
  const issuePath = await fileOf(onIssue.id);
  expect((await member.ok(`mutation { deleteIssue(key: "ATT-8") }`)).deleteIssue).toBe(true);
  await createProject(api.client, org, 'GONE');
  await createIssue(api.client, org, { projectKey: 'GONE', title: 'Doomed' });
  const onProject = await attach(member, apiUrl, 'GONE-1', Buffer.from('project file'));
  const projectPath = await fileOf(onProject.id);
  expect((await clientAs(api, org, 'OWNER').ok(`mutation { deleteProject(key: "GONE", confirmKey: "GONE") }`)).deleteProject).toBe(true);
  await untilJobsDone(sql, OBJECT_DELETE_TASK);
  expect(existsSync(issuePath!)).toBe(false);
  expect(existsSync(projectPath!)).toBe(false);
  expect(await sql.count('attachments', 'id = ANY($1::uuid[])', [[onIssue.id, onProject.id].map((id) => fromGlobalId('Attachment', id, 'id'))])).toBe(0);
});

test('housekeeping removes an upload never completed, and its object', async () => {
  const bytes = Buffer.from('abandoned');
  const upload = await createUpload(member, 'ATT-2', bytes);
  expect((await putBytes(upload, apiUrl, bytes)).status).toBe(200);
  const path = await fileOf(upload.attachment.id);
  expect(existsSync(path!)).toBe(true);
  // Its sweep is scheduled for when the URL expires; bring that moment forward.
  await sql.query(
    `UPDATE graphile_worker._private_jobs SET run_at = now() WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = $1) AND payload->>'attachmentId' = $2`,
    [UPLOAD_EXPIRY_TASK, fromGlobalId('Attachment', upload.attachment.id, 'id')],
  );
  const rowId = fromGlobalId('Attachment', upload.attachment.id, 'id');
  await untilJobsDone(sql, UPLOAD_EXPIRY_TASK, rowId);
  await untilJobsDone(sql, OBJECT_DELETE_TASK, rowId);
  expect(await sql.count('attachments', 'id = $1', [fromGlobalId('Attachment', upload.attachment.id, 'id')])).toBe(0);
  expect(existsSync(path!)).toBe(false);
});

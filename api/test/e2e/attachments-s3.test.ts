// The S3 store, through the API, against a real S3-compatible server on loopback (s3rver,
// started here): pre-signed PUT and GET URLs, HEAD at completion, deletion through the job.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';
import { attach, COMPLETE_UPLOAD, createUpload, DELETE_ATTACHMENT, ISSUE_ATTACHMENTS, putBytes, untilJobsDone } from '../support/attachment-upload';
import { OBJECT_DELETE_TASK } from '../../src/modules/attachment/attachment-jobs';
import { S3Store } from '../../src/modules/attachment/s3-store';
import { fromGlobalId } from '../../src/graphql/global-id';

const BUCKET = 'tracker-attachments-test';
// s3rver's fixed test credentials; the SDK's default chain reads them from the environment.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let s3: S3rver;
let s3Directory: string;
let endpoint: string;
let api: TestApi;
let org: TestOrg;
let member: RoleClient;
let sql: OwnerSql;
let store: S3Store;

beforeAll(async () => {
  s3Directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Directory, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const address = (await s3.run()) as AddressInfo;
  endpoint = `http://127.0.0.1:${address.port}`;
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  api = await startTestApi('attachments_s3', { ATTACHMENTS_BUCKET: BUCKET, AWS_REGION: 'us-east-1', ATTACHMENTS_S3_ENDPOINT: endpoint, WEBHOOK_POLL_INTERVAL_MS: '50' });
  store = new S3Store({ bucket: BUCKET, region: 'us-east-1', endpoint, credentials: CREDENTIALS });
  org = await createOrg(api.client, 's3a');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  await createProject(api.client, org, 'S3A');
  for (let i = 0; i < 3; i++) await createIssue(api.client, org, { projectKey: 'S3A', title: `Issue ${i}` });
});
afterAll(async () => {
  store?.destroy();
  await sql?.end();
  await api?.stop();
  await s3?.close();
  rmSync(s3Directory, { recursive: true, force: true });
});

const keyOf = async (id: string) =>
  (await sql.query<{ object_key: string }>('SELECT object_key FROM attachments WHERE id = $1', [fromGlobalId('Attachment', id, 'id')]))[0]!.object_key;

test('the S3 store is the one in use: an upload URL points at the bucket, not at the API', async () => {
  const upload = await createUpload(member, 'S3A-1', Buffer.from('x'));
  expect(upload.uploadUrl.startsWith(`${endpoint}/${BUCKET}/`)).toBe(true);
  expect(upload.uploadUrl).toContain('X-Amz-Signature=');
});

test('upload with the pre-signed PUT, complete after HEAD, download with the pre-signed GET', async () => {
  const bytes = Buffer.from('%PDF-1.4 not really a pdf\n');
  const done = await attach(member, api.server.url, 'S3A-1', bytes, 'report.pdf', 'application/pdf');
  expect(done).toMatchObject({ fileName: 'report.pdf', contentType: 'application/pdf', size: bytes.length });
  expect(await store.head(await keyOf(done.id))).toEqual({ size: bytes.length, contentType: 'application/pdf' });
  const [listed] = (await member.ok(ISSUE_ATTACHMENTS, { key: 'S3A-1' })).issue.attachments;
  const download = await fetch(listed.downloadUrl);
  expect(download.status).toBe(200);
  expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
});

test('complete refuses an object whose size or type differs from what was declared, and the attachment stays invisible', async () => {
  const upload = await createUpload(member, 'S3A-2', Buffer.alloc(10, 1));
  expect(refusal(await member.request(COMPLETE_UPLOAD, { id: upload.attachment.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  const key = await keyOf(upload.attachment.id);
  // Bytes that reached the key some other way: the HEAD at completion is what catches them.
  const direct = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: CREDENTIALS });
  await direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(11, 1), ContentType: 'text/plain' }));
  const refused = await member.request(COMPLETE_UPLOAD, { id: upload.attachment.id });
  expect(refusal(refused)).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  expect(refused.errors?.[0]?.extensions).toMatchObject({ storedSize: 11 });
  await direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(10, 1), ContentType: 'image/png' }));
  expect(refusal(await member.request(COMPLETE_UPLOAD, { id: upload.attachment.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  direct.destroy();
  expect((await member.ok(ISSUE_ATTACHMENTS, { key: 'S3A-2' })).issue.attachments).toEqual([]);
});

test('the PUT URL signs the length and type (S3 enforces them); a longer body that lands anyway is caught at completion', async () => {
  const declared = Buffer.alloc(10, 2);
  const upload = await createUpload(member, 'S3A-3', declared);
  const url = new URL(upload.uploadUrl);
  expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type']));
  // No checksum of an empty body signed in: S3 would refuse the real bytes.
  expect([...url.searchParams.keys()].filter((name) => name.toLowerCase().startsWith('x-amz-checksum'))).toEqual([]);
  // s3rver does not check signed headers as S3 does; whatever it stores, HEAD tells the truth.
  const longer = await putBytes(upload, api.server.url, Buffer.alloc(11, 2));
  if (longer.status === 200) {
    expect(refusal(await member.request(COMPLETE_UPLOAD, { id: upload.attachment.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  }
  expect((await putBytes(upload, api.server.url, declared)).status).toBe(200);
  expect((await member.ok(COMPLETE_UPLOAD, { id: upload.attachment.id })).completeAttachmentUpload.size).toBe(10);
});

test('deleteAttachment removes the object from the bucket after the commit', async () => {
  const done = await attach(member, api.server.url, 'S3A-3', Buffer.from('bye'));
  const key = await keyOf(done.id);
  expect(await store.head(key)).not.toBeNull();
  expect((await member.ok(DELETE_ATTACHMENT, { id: done.id })).deleteAttachment).toBe(true);
  await untilJobsDone(sql, OBJECT_DELETE_TASK);
  expect(await store.head(key)).toBeNull();
});

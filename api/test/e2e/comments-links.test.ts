// Comments and links over HTTP: addComment, updateComment, deleteComment, linkIssues,
// unlinkIssues, and how they show on the issue and in its history.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let member: RoleClient;
let sql: OwnerSql;

const ADD = `mutation($key: String!, $body: String!) { addComment(issueKey: $key, body: $body) { id body createdAt editedAt author { id } } }`;
const EDIT = `mutation($id: ID!, $body: String!) { updateComment(id: $id, body: $body) { id body editedAt } }`;
const DELETE = `mutation($id: ID!) { deleteComment(id: $id) }`;
const LINK = `mutation($from: String!, $to: String!, $type: IssueLinkType!) { linkIssues(fromKey: $from, toKey: $to, type: $type) { id type outward issue { key } } }`;
const LINKS = `query($key: String!) { issue(key: $key) { links { id type outward issue { key } } } }`;

beforeAll(async () => {
  api = await startTestApi('comments');
  org = await createOrg(api.client, 'com');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  await createProject(api.client, org, 'COM');
  for (let i = 0; i < 3; i++) await createIssue(api.client, org, { projectKey: 'COM', title: `Issue ${i}` });
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('addComment, updateComment and deleteComment by the author, each recorded in history', async () => {
  const added = (await member.ok(ADD, { key: 'COM-1', body: 'Looks good' })).addComment;
  expect(added).toMatchObject({ body: 'Looks good', editedAt: null, author: { id: org.users.MEMBER.id } });
  const edited = (await member.ok(EDIT, { id: added.id, body: 'Looks great' })).updateComment;
  expect(edited).toMatchObject({ id: added.id, body: 'Looks great', editedAt: expect.any(String) });
  const listed = await member.ok(`{ issue(key: "COM-1") { comments { totalCount edges { node { body author { id } } } } } }`);
  expect(listed.issue.comments).toEqual({ totalCount: 1, edges: [{ node: { body: 'Looks great', author: { id: org.users.MEMBER.id } } }] });
  expect((await member.ok(DELETE, { id: added.id })).deleteComment).toBe(true);
  const history = await member.ok(`{ issue(key: "COM-1") { comments { totalCount } history(first: 3) { edges { node { kind } } } } }`);
  expect(history.issue.comments.totalCount).toBe(0);
  expect(history.issue.history.edges.map((e: any) => e.node.kind)).toEqual(['COMMENT_DELETED', 'COMMENT_EDITED', 'COMMENTED']);
});

test('only the author edits a comment; an ADMIN may delete it, another member may not', async () => {
  const { id } = (await member.ok(ADD, { key: 'COM-1', body: 'Mine' })).addComment;
  expect(refusal(await clientAs(api, org, 'ADMIN').request(EDIT, { id, body: 'Hijack' })).code).toBe('FORBIDDEN');
  expect(refusal(await clientAs(api, org, 'VIEWER').request(DELETE, { id })).code).toBe('FORBIDDEN');
  expect(refusal(await clientAs(api, org, 'VIEWER').request(ADD, { key: 'COM-1', body: 'no' })).code).toBe('FORBIDDEN');
  const ownerComment = (await clientAs(api, org).ok(ADD, { key: 'COM-1', body: 'Owner' })).addComment;
  expect(refusal(await member.request(DELETE, { id: ownerComment.id })).code).toBe('FORBIDDEN');
  expect((await clientAs(api, org, 'ADMIN').ok(DELETE, { id })).deleteComment).toBe(true);
  expect(await sql.query(`SELECT body FROM comments`)).toEqual([{ body: 'Owner' }]);
});

test('comment bodies must be 1 to 50,000 characters; refusals name body and write nothing', async () => {
  const before = await sql.count('comments');
  for (const body of ['', ' \n ', 'x'.repeat(50_001)]) expect(refusal(await member.request(ADD, { key: 'COM-2', body }))).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
  expect(await sql.count('comments')).toBe(before);
  expect(refusal(await member.request(ADD, { key: 'COM-99', body: 'x' }))).toEqual({ code: 'NOT_FOUND', field: 'issueKey' });
  const ghost = Buffer.from('Comment:00000000-0000-7000-8000-000000000000').toString('base64url');
  expect(refusal(await member.request(EDIT, { id: ghost, body: 'x' })).code).toBe('NOT_FOUND');
  expect(refusal(await member.request(DELETE, { id: 'bad' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
});

test('linkIssues shows the link from both ends with its direction, and unlinkIssues removes it', async () => {
  const link = (await member.ok(LINK, { from: 'COM-2', to: 'COM-3', type: 'BLOCKS' })).linkIssues;
  expect(link).toMatchObject({ type: 'BLOCKS', outward: true, issue: { key: 'COM-3' } });
  expect((await member.ok(LINKS, { key: 'COM-2' })).issue.links).toEqual([{ id: link.id, type: 'BLOCKS', outward: true, issue: { key: 'COM-3' } }]);
  expect((await member.ok(LINKS, { key: 'COM-3' })).issue.links).toEqual([{ id: link.id, type: 'BLOCKS', outward: false, issue: { key: 'COM-2' } }]);
  const history = await member.ok(`{ issue(key: "COM-3") { history(first: 1) { edges { node { kind to } } } } }`);
  expect(history.issue.history.edges[0].node).toMatchObject({ kind: 'LINKED', to: { type: 'BLOCKS', from: 'COM-2', to: 'COM-3' } });
  expect((await member.ok(`mutation($id: ID!) { unlinkIssues(linkId: $id) }`, { id: link.id })).unlinkIssues).toBe(true);
  expect((await member.ok(LINKS, { key: 'COM-2' })).issue.links).toEqual([]);
  expect(refusal(await member.request(`mutation($id: ID!) { unlinkIssues(linkId: $id) }`, { id: link.id }))).toEqual({ code: 'NOT_FOUND', field: 'linkId' });
});

test('linkIssues refuses self links, duplicates, unknown issues and viewers', async () => {
  await member.ok(LINK, { from: 'COM-1', to: 'COM-2', type: 'RELATES_TO' });
  const before = await sql.count('issue_links');
  expect(refusal(await member.request(LINK, { from: 'COM-1', to: 'COM-1', type: 'DUPLICATES' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toKey' });
  expect(refusal(await member.request(LINK, { from: 'COM-1', to: 'COM-2', type: 'RELATES_TO' })).code).toBe('CONFLICT');
  expect(refusal(await member.request(LINK, { from: 'COM-1', to: 'COM-404', type: 'BLOCKS' }))).toEqual({ code: 'NOT_FOUND', field: 'toKey' });
  expect(refusal(await clientAs(api, org, 'VIEWER').request(LINK, { from: 'COM-1', to: 'COM-3', type: 'BLOCKS' })).code).toBe('FORBIDDEN');
  expect(await sql.count('issue_links')).toBe(before);
});

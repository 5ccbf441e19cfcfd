// Comments, links and labels: who may write them, their validation, and their history.
import { addComment, deleteComment, listComments, updateComment } from '../../src/modules/comment/comment.service';
import { linkIssues, unlinkIssues } from '../../src/modules/link/link.service';
import { createLabel } from '../../src/modules/label/label.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, refusalOf, type ServiceWorld } from '../support/service-world';
import { pageRequest } from '../../src/graphql/pagination';

let world: ServiceWorld;

beforeAll(async () => {
  world = await openServiceWorld('comments');
  await makeProject(world, 'COM');
});
afterAll(() => world?.close());

const as = (role: 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER') => world.org.actors[role];

async function kinds(issueId: string): Promise<string[]> {
  return (await world.sql<{ kind: string }>(`SELECT kind FROM issue_events WHERE issue_id = $1 AND kind <> 'CREATED' ORDER BY id`, [issueId])).map((e) => e.kind);
}

test('a member comments, edits their own comment, and each step is in the history', async () => {
  const issue = await makeIssue(world, 'COM');
  const comment = await addComment(as('MEMBER'), keyOf('COM', issue), 'First!');
  expect(comment).toMatchObject({ body: 'First!', authorId: world.org.actors.MEMBER.userId, editedAt: null });
  const edited = await updateComment(as('MEMBER'), comment.id, 'Edited');
  expect(edited.editedAt).toBeInstanceOf(Date);
  expect(await deleteComment(as('MEMBER'), comment.id)).toBe(true);
  expect(await kinds(issue.id)).toEqual(['COMMENTED', 'COMMENT_EDITED', 'COMMENT_DELETED']);
});

test('only the author edits; the author or an ADMIN deletes', async () => {
  const issue = await makeIssue(world, 'COM');
  const comment = await addComment(as('MEMBER'), keyOf('COM', issue), 'Mine');
  expect(await refusalOf(() => updateComment(as('ADMIN'), comment.id, 'Theirs'))).toMatchObject({ code: 'FORBIDDEN' });
  expect(await refusalOf(() => deleteComment(as('VIEWER'), comment.id))).toMatchObject({ code: 'FORBIDDEN' });
  const byOther = await addComment(as('OWNER'), keyOf('COM', issue), 'Owner says');
  expect(await refusalOf(() => deleteComment(as('MEMBER'), byOther.id))).toMatchObject({ code: 'FORBIDDEN' });
  expect(await deleteComment(as('ADMIN'), comment.id)).toBe(true);
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM comments WHERE issue_id = $1`, [issue.id]);
  expect(count).toBe(1);
  expect(await refusalOf(() => addComment(as('VIEWER'), keyOf('COM', issue), 'no'))).toMatchObject({ code: 'FORBIDDEN' });
});

test('comment bodies are 1 to 50,000 characters and a refused comment writes nothing', async () => {
  const issue = await makeIssue(world, 'COM');
  for (const body of ['', '   ', 'x'.repeat(50_001)]) {
    expect(await refusalOf(() => addComment(as('MEMBER'), keyOf('COM', issue), body))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
  }
  const ok = await addComment(as('MEMBER'), keyOf('COM', issue), 'y'.repeat(50_000));
  expect(await refusalOf(() => updateComment(as('MEMBER'), ok.id, ''))).toMatchObject({ field: 'body' });
  const rows = await world.sql<{ len: number }>(`SELECT length(body) AS len FROM comments WHERE issue_id = $1`, [issue.id]);
  expect(rows).toEqual([{ len: 50_000 }]);
  expect(await kinds(issue.id)).toEqual(['COMMENTED']);
});

test('comments list oldest first across pages', async () => {
  const issue = await makeIssue(world, 'COM');
  for (let i = 0; i < 5; i++) await addComment(as('MEMBER'), keyOf('COM', issue), `c${i}`);
  const first = await listComments(world.org.db(), issue.id, pageRequest({ first: 3 }));
  const rest = await listComments(world.org.db(), issue.id, pageRequest({ first: 3, after: first.pageInfo.endCursor }));
  expect([...first.edges, ...rest.edges].map((e) => e.node.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  expect(rest.pageInfo.hasNextPage).toBe(false);
  expect(await first.totalCount).toBe(5);
});

test('a link is seen from both ends, recorded on both, and unlinking is recorded too', async () => {
  const a = await makeIssue(world, 'COM');
  const b = await makeIssue(world, 'COM');
  const view = await linkIssues(as('MEMBER'), keyOf('COM', a), keyOf('COM', b), 'BLOCKS');
  expect(view).toMatchObject({ type: 'BLOCKS', outward: true, otherIssueId: b.id });
  expect(await refusalOf(() => linkIssues(as('MEMBER'), keyOf('COM', a), keyOf('COM', b), 'BLOCKS'))).toMatchObject({ code: 'CONFLICT' });
  await linkIssues(as('MEMBER'), keyOf('COM', a), keyOf('COM', b), 'RELATES_TO');
  expect(await refusalOf(() => linkIssues(as('MEMBER'), keyOf('COM', a), keyOf('COM', a), 'RELATES_TO'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toKey' });
  expect(await refusalOf(() => linkIssues(as('VIEWER'), keyOf('COM', a), keyOf('COM', b), 'DUPLICATES'))).toMatchObject({ code: 'FORBIDDEN' });
  expect(await unlinkIssues(as('MEMBER'), view.id)).toBe(true);
  expect(await refusalOf(() => unlinkIssues(as('MEMBER'), view.id))).toMatchObject({ code: 'NOT_FOUND', field: 'linkId' });
  expect(await kinds(a.id)).toEqual(['LINKED', 'LINKED', 'UNLINKED']);
  expect(await kinds(b.id)).toEqual(['LINKED', 'LINKED', 'UNLINKED']);
});

test('issues of different projects in one organization can be linked, but not across organizations', async () => {
  await makeProject(world, 'LNK');
  const here = await makeIssue(world, 'COM');
  const there = await makeIssue(world, 'LNK');
  await expect(linkIssues(as('MEMBER'), keyOf('COM', here), keyOf('LNK', there), 'DUPLICATES')).resolves.toMatchObject({ outward: true });
  const other = await world.newOrg('link-other');
  await makeProject(world, 'FAR', other);
  const far = await makeIssue(world, 'FAR', {}, other);
  expect(await refusalOf(() => linkIssues(as('MEMBER'), keyOf('COM', here), keyOf('FAR', far), 'BLOCKS'))).toMatchObject({ code: 'NOT_FOUND', field: 'toKey' });
});

test('labels need an admin, a 1-50 character name unique in the project and a #RRGGBB color', async () => {
  const label = await createLabel(as('ADMIN'), 'COM', ' frontend ', '#abcdef');
  expect(label).toMatchObject({ name: 'frontend', color: '#ABCDEF' });
  expect(await refusalOf(() => createLabel(as('ADMIN'), 'COM', 'frontend', '#000000'))).toMatchObject({ code: 'CONFLICT', field: 'name' });
  for (const color of ['red', '#abc', '#abcdeg', 'abcdef', '#abcdef0']) {
    expect(await refusalOf(() => createLabel(as('ADMIN'), 'COM', `c-${color}`, color))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'color' });
  }
  for (const name of ['', '  ', 'n'.repeat(51)]) {
    expect(await refusalOf(() => createLabel(as('ADMIN'), 'COM', name, '#000000'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  }
  expect(await refusalOf(() => createLabel(as('MEMBER'), 'COM', 'member', '#000000'))).toMatchObject({ code: 'FORBIDDEN' });
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM labels`);
  expect(count).toBe(1);
});

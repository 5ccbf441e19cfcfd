// Projects as a service: keys, the default workflow, archiving and role checks.
import { archiveProject, createProject, getProject, listProjects, updateProject } from '../../src/modules/project/project.service';
import { makeIssue, makeProject, openServiceWorld, refusalOf, type ServiceWorld } from '../support/service-world';
import { pageRequest } from '../../src/graphql/pagination';

let world: ServiceWorld;

beforeAll(async () => {
  world = await openServiceWorld('project');
});
afterAll(() => world?.close());

test('a new project gets the default workflow with its transitions', async () => {
  const project = await makeProject(world, 'FLOW');
  expect(project.states.map((s) => [s.name, s.category, s.position])).toEqual([
    ['To Do', 'TODO', 0],
    ['In Progress', 'IN_PROGRESS', 1],
    ['In Review', 'IN_PROGRESS', 2],
    ['Done', 'DONE', 3],
  ]);
  const names = new Map(project.states.map((s) => [s.id, s.name]));
  const transitions = await world.sql<{ from_state_id: string; to_state_id: string }>(
    `SELECT from_state_id, to_state_id FROM workflow_transitions WHERE from_state_id = ANY($1::uuid[])`,
    [project.states.map((s) => s.id)],
  );
  expect(transitions.map((t) => `${names.get(t.from_state_id)} > ${names.get(t.to_state_id)}`).sort()).toEqual(
    ['Done > In Review', 'Done > To Do', 'In Progress > In Review', 'In Progress > To Do', 'In Review > Done', 'In Review > In Progress', 'In Review > To Do', 'To Do > In Progress'].sort(),
  );
});

test('a malformed key is BAD_USER_INPUT on key and writes nothing', async () => {
  for (const key of ['x', 'lower', '1AB', 'TOOLONGKEY1']) {
    const refusal = await refusalOf(() => createProject(world.org.actors.OWNER, { key, name: 'Bad' }));
    expect(refusal).toMatchObject({ code: 'BAD_USER_INPUT', field: 'key' });
  }
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM projects WHERE name = 'Bad'`);
  expect(count).toBe(0);
});

test('a taken key is CONFLICT in the same organization but free in another one', async () => {
  await makeProject(world, 'DUP');
  const refusal = await refusalOf(() => createProject(world.org.actors.ADMIN, { key: 'DUP', name: 'Again' }));
  expect(refusal).toMatchObject({ code: 'CONFLICT', field: 'key' });
  const other = await world.newOrg('project-other');
  await expect(makeProject(world, 'DUP', other)).resolves.toMatchObject({ key: 'DUP' });
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM workflow_states s JOIN projects p ON p.id = s.project_id WHERE p.key = 'DUP'`);
  expect(count).toBe(8);
});

test('only ADMIN and OWNER create, update and archive projects', async () => {
  for (const role of ['MEMBER', 'VIEWER'] as const) {
    const actor = world.org.actors[role];
    expect((await refusalOf(() => createProject(actor, { key: 'NOPE', name: 'x' }))).code).toBe('FORBIDDEN');
    expect((await refusalOf(() => updateProject(actor, 'FLOW', { name: 'x' }))).code).toBe('FORBIDDEN');
    expect((await refusalOf(() => archiveProject(actor, 'FLOW'))).code).toBe('FORBIDDEN');
  }
  expect(await getProject(world.org.db(), 'NOPE')).toBeNull();
});

test('updating changes name, description and lead but never the key', async () => {
  await makeProject(world, 'EDIT');
  const updated = await updateProject(world.org.actors.ADMIN, 'EDIT', {
    name: '  Renamed ',
    description: 'About it',
    leadId: world.org.actors.MEMBER.userId,
  });
  expect(updated).toMatchObject({ key: 'EDIT', name: 'Renamed', description: 'About it', leadId: world.org.actors.MEMBER.userId });
  expect((await refusalOf(() => updateProject(world.org.actors.ADMIN, 'EDIT', { name: ' ' }))).field).toBe('name');
  expect((await refusalOf(() => updateProject(world.org.actors.ADMIN, 'EDIT', { description: 'x'.repeat(10_001) }))).field).toBe('description');
});

test('a lead who is not a member is NOT_FOUND on leadId', async () => {
  const stranger = (await world.newOrg('project-lead')).actors.OWNER.userId;
  const refusal = await refusalOf(() => createProject(world.org.actors.OWNER, { key: 'LEAD', name: 'x', leadId: stranger }));
  expect(refusal).toMatchObject({ code: 'NOT_FOUND', field: 'leadId' });
  expect(await getProject(world.org.db(), 'LEAD')).toBeNull();
});

test('an archived project is hidden from the list unless asked for, still found by key, and read-only', async () => {
  await makeProject(world, 'OLD');
  await makeIssue(world, 'OLD');
  const archived = await archiveProject(world.org.actors.OWNER, 'OLD');
  expect(archived.archivedAt).toBeInstanceOf(Date);
  const again = await archiveProject(world.org.actors.OWNER, 'OLD');
  expect(again.archivedAt).toEqual(archived.archivedAt);
  const visible = await listProjects(world.org.db(), false, pageRequest({ first: 50 }));
  expect(visible.edges.map((e) => e.node.key)).not.toContain('OLD');
  const all = await listProjects(world.org.db(), true, pageRequest({ first: 50 }));
  expect(all.edges.map((e) => e.node.key)).toContain('OLD');
  expect(await all.totalCount).toBe((await visible.totalCount) + 1);
  expect(await getProject(world.org.db(), 'OLD')).toMatchObject({ key: 'OLD' });
  expect(await refusalOf(() => updateProject(world.org.actors.OWNER, 'OLD', { name: 'x' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(await refusalOf(() => makeIssue(world, 'OLD'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'projectKey' });
  const [{ seq }] = await world.sql<{ seq: number }>(`SELECT issue_seq AS seq FROM projects WHERE key = 'OLD'`);
  expect(seq).toBe(1);
});

test('projects page by key with opaque cursors', async () => {
  const first = await listProjects(world.org.db(), true, pageRequest({ first: 2 }));
  expect(first.edges).toHaveLength(2);
  expect(first.pageInfo.hasNextPage).toBe(true);
  const rest = await listProjects(world.org.db(), true, pageRequest({ first: 100, after: first.pageInfo.endCursor }));
  const keys = [...first.edges, ...rest.edges].map((e) => e.node.key);
  expect(keys).toEqual([...keys].sort());
  expect(keys).toHaveLength(await first.totalCount);
  expect(rest.pageInfo.hasPreviousPage).toBe(true);
});

test('another organization never sees these projects', async () => {
  const other = await world.newOrg('project-iso');
  expect(await getProject(other.db(), 'FLOW')).toBeNull();
  expect(await (await listProjects(other.db(), true, pageRequest({ first: 50 }))).totalCount).toBe(0);
  expect((await refusalOf(() => archiveProject(other.actors.OWNER, 'FLOW'))).code).toBe('NOT_FOUND');
});

// The server's schema against the public contract, and the committed schema artifact.
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAppSchema } from '../../src/graphql-server/schema';
import { CONTRACT_FILES, VENDORED_CONTRACT_DIR, classifyContractProblems, compareWithContract, loadContract } from '../../src/graphql-server/contract-check';
import { PENDING_CONTRACT_ITEMS } from '../../src/graphql-server/contract-pending';
import { PROJECT_ROOT } from '../../src/project-root';

const schema = buildAppSchema();

test('the schema has every type, field and argument of contract.graphql and contract-events.graphql with compatible types and defaults', () => {
  expect(compareWithContract(loadContract(['contract.graphql', 'contract-events.graphql']), schema)).toEqual([]);
});

test('contract-work.graphql is met except the items listed as pending, and every pending item is still a gap', () => {
  const report = classifyContractProblems(compareWithContract(loadContract(CONTRACT_FILES), schema), PENDING_CONTRACT_ITEMS);
  expect(report.unexpected).toEqual([]);
  expect(report.stale).toEqual([]);
});

test('a pending entry that the schema already meets is reported as stale', () => {
  const report = classifyContractProblems([{ type: 'FIELD_REMOVED', description: 'Query.a was removed.' }], { 'issue x': ['Query.a was removed.', 'Query.b was removed.'] });
  expect(report).toEqual({ unexpected: [], pending: [{ type: 'FIELD_REMOVED', description: 'Query.a was removed.' }], stale: ['Query.b was removed.'] });
});

test('the check reports a contract field the server lacks and a changed default', () => {
  const sdl = readFileSync(path.join(VENDORED_CONTRACT_DIR, 'contract.graphql'), 'utf8')
    .replace('type Label { id: ID! name: String! color: String! }', 'type Label { id: ID! name: String! color: String! description: String }')
    .replace('projects(includeArchived: Boolean = false,', 'projects(includeArchived: Boolean = true,');
  const problems = compareWithContract(buildSchema(sdl), schema).map((p) => p.description);
  expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('Label.description'), expect.stringContaining('Query.projects arg includeArchived has changed defaultValue')]));
});

test('api/schema.graphql is the schema the code builds (run npm run contract to refresh it)', () => {
  const committed = readFileSync(path.join(PROJECT_ROOT, 'api/schema.graphql'), 'utf8');
  expect(committed).toBe(printSchema(lexicographicSortSchema(schema)));
});

const shared = path.resolve(PROJECT_ROOT, '../shared/api');
const describeShared = existsSync(shared) ? describe : describe.skip;
describeShared('the vendored contract', () => {
  test.each(CONTRACT_FILES)('%s is identical to the one in ../shared/api', (file) => {
    expect(readFileSync(path.join(VENDORED_CONTRACT_DIR, file), 'utf8')).toBe(readFileSync(path.join(shared, file), 'utf8'));
  });
});

// relay-compiler (Relay's own compiler, from npm) accepts the schema: a refetchable fragment
// on every Node type and a paginated connection compile. A fragment made refetchable on a
// type that is not a Node is refused, so the check can fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isObjectType } from 'graphql';
import { buildAppSchema } from '../../src/graphql-server/schema';
import { PROJECT_ROOT } from '../../src/project-root';

const compiler = path.join(PROJECT_ROOT, 'node_modules/relay-compiler/cli.js');

function nodeTypes(): string[] {
  return Object.values(buildAppSchema().getTypeMap())
    .filter(isObjectType)
    .filter((type) => type.getInterfaces().some((i) => i.name === 'Node'))
    .map((type) => type.name);
}

/** Compiles `fragments` against api/schema.graphql in a scratch project; exit status and output. */
function compile(fragments: string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-'));
  try {
    mkdirSync(path.join(dir, 'src/__generated__'), { recursive: true });
    writeFileSync(path.join(dir, 'schema.graphql'), readFileSync(path.join(PROJECT_ROOT, 'api/schema.graphql')));
    writeFileSync(path.join(dir, 'relay.config.json'), JSON.stringify({ src: './src', schema: './schema.graphql', language: 'typescript', artifactDirectory: './src/__generated__' }));
    const source = fragments.map((fragment, i) => `export const f${i} = graphql\`${fragment}\`;`).join('\n');
    writeFileSync(path.join(dir, 'src/fragments.ts'), `import { graphql } from 'react-relay';\n${source}\n`);
    const run = spawnSync(process.execPath, [compiler], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lower = (name: string) => name[0]!.toLowerCase() + name.slice(1);

test('a refetchable fragment on every Node type and a connection paginated both ways compile', () => {
  const fragments = nodeTypes().map((type) => `fragment fragments_${lower(type)} on ${type} @refetchable(queryName: "fragments${type}RefetchQuery") { id }`);
  fragments.push(
    `fragment fragments_projectIssues on Project @refetchable(queryName: "fragmentsProjectIssuesQuery")
       @argumentDefinitions(count: { type: "Int" }, cursor: { type: "String" }, last: { type: "Int" }, before: { type: "String" }) {
       issues(first: $count, after: $cursor, last: $last, before: $before) @connection(key: "fragments__issues") { edges { node { id } } } }`,
  );
  const result = compile(fragments);
  expect(result.output).toContain('Compilation completed');
  expect(result.status).toBe(0);
});

test('a refetchable fragment on a type that is not a Node is refused', () => {
  const result = compile([`fragment fragments_pageInfo on PageInfo @refetchable(queryName: "fragmentsPageInfoQuery") { hasNextPage }`]);
  expect(result.status).not.toBe(0);
  expect(result.output).toMatch(/refetchable/i);
});

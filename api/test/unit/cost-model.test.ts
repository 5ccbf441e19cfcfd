// The cost model's prices, as the "What the cost budget buys" table of docs/using/limits.md states them.
import { parse } from 'graphql';
import { documentCost } from '../../src/graphql-server/plugins/cost';
import { LONG_TEXT_FIELDS } from '../../src/graphql-server/long-text';
import { buildAppSchema } from '../../src/graphql-server/schema';

const schema = buildAppSchema();
const cost = (query: string, variables?: Record<string, unknown>) => documentCost(schema, parse(query), undefined, variables);

test.each([
  ['{ __typename }', 1],
  ['{ viewer { id name } }', 1],
  ['{ issues { edges { node { key title status { name } assignee { name } } } } }', 1451],
  ['{ viewer { id name } organizations { id name } projects(first: 20) { edges { node { key issues(first: 5) { edges { node { key status { name } } } } } } } }', 2932],
  ['{ issues(first: 100) { edges { node { description } } } }', 2701],
  ['{ a: issues(first: 100) { edges { node { description } } } b: issues(first: 100) { edges { node { description } } } }', 5402],
  ['{ issue(key: "WEB-1") { comments(first: 100) { edges { node { body } } } } }', 1527],
])('%s costs %d', (query, expected) => {
  expect(cost(query)).toBe(expected);
});

test('a page size from a variable is priced like a literal, capped at the page maximum', () => {
  const query = 'query($n: Int) { issues(first: $n) { edges { node { key } } } }';
  expect(cost(query, { n: 10 })).toBe(271);
  expect(cost(query, { n: 100_000 })).toBe(2701);
  expect(cost(query, {})).toBe(1351);
});

test('fragments are priced where they are spread, and nested spreads stay linear', () => {
  const fragments = Array.from({ length: 12 }, (_, i) => `fragment F${i} on Issue { key ${i < 11 ? `...F${i + 1} ...F${i + 1}` : 'status { name }'} }`).join('\n');
  expect(cost(`{ issue(key: "A-1") { ...F0 } } ${fragments}`)).toBe(26 + 2 ** 11);
});

test('an object weighs the long text its row carries, asked for or not', () => {
  expect(cost('{ issues(first: 100) { edges { node { key } } } }')).toBe(2701);
  expect(cost('{ issue(key: "A-1") { history(first: 10) { edges { node { kind } } } } }')).toBe(26 + 1 + 10 * 52);
  // node(id:) may be any Node: priced as the heaviest (an issue, today).
  expect(cost('{ node(id: "x") { id } }')).toBeGreaterThanOrEqual(26);
});

test('every long-text field exists in the schema', () => {
  for (const key of Object.keys(LONG_TEXT_FIELDS)) {
    const [type, field] = key.split('.') as [string, string];
    expect((schema.getType(type) as { getFields(): Record<string, unknown> }).getFields()[field]).toBeDefined();
  }
});

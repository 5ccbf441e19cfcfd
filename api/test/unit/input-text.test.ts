// Text PostgreSQL cannot store, found anywhere in an operation's arguments and variables.
import { parse } from 'graphql';
import { findUnstorableText } from '../../src/graphql-server/plugins/input-text';

const deep = (depth: number, leaf: unknown) => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
const DOCUMENT = parse('mutation($input: UpdateIssueInput!) { updateIssue(key: "A-1", input: $input) { key } }');

test('names the path of a NUL or lone surrogate in a literal, a variable and an undeclared variable', () => {
  expect(findUnstorableText(parse('mutation { addComment(issueKey: "A-1", body: "a\\u0000b") { id } }'), {})).toBe('body');
  expect(findUnstorableText(DOCUMENT, { input: { title: 'fine', labelIds: ['ok', '\ud800'] } })).toBe('input.labelIds[1]');
  expect(findUnstorableText(DOCUMENT, { input: { title: 'fine' }, extra: { deeper: ['\u0000'] } })).toBe('$extra.deeper[0]');
  expect(findUnstorableText(DOCUMENT, { input: { title: 'fine' } })).toBeUndefined();
});

test('a variable nested 100,000 deep is walked without exhausting the stack', () => {
  expect(findUnstorableText(DOCUMENT, { input: { title: 'fine' }, extra: deep(100_000, 'clean') })).toBeUndefined();
  const found = findUnstorableText(DOCUMENT, { input: { title: 'fine' }, extra: deep(100_000, '\u0000') });
  expect(found).toBe(`$extra${'.a'.repeat(100_000)}`);
});

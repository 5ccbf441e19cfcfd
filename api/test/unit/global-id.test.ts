// Global ids: base64url("<Type>:<row id>"). Round trips; a well-formed id of another type is
// NOT_FOUND (like another tenant's); anything malformed is BAD_USER_INPUT naming the field.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/errors/app-error';
import { decodeGlobalId, fromGlobalId, fromGlobalIds, toGlobalId } from '../../src/graphql/global-id';

function refusal(fn: () => unknown): { code: string; field?: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

const encode = (text: string) => Buffer.from(text).toString('base64url');

test('an id round-trips to its type and row id, and is opaque base64url', () => {
  const rowId = randomUUID();
  const id = toGlobalId('Issue', rowId);
  expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(id).not.toContain(rowId);
  expect(decodeGlobalId(id, 'id')).toEqual({ type: 'Issue', rowId });
  expect(fromGlobalId('Issue', id, 'id')).toBe(rowId);
  expect(fromGlobalIds('Issue', [id, id], 'ids')).toEqual([rowId, rowId]);
});

test('bigint-keyed types take a positive integer row id and nothing else', () => {
  expect(fromGlobalId('IssueEvent', toGlobalId('IssueEvent', 42n), 'id')).toBe('42');
  expect(refusal(() => fromGlobalId('IssueEvent', toGlobalId('IssueEvent', randomUUID()), 'id')).code).toBe('BAD_USER_INPUT');
  expect(refusal(() => fromGlobalId('IssueEvent', encode('IssueEvent:0'), 'id')).code).toBe('BAD_USER_INPUT');
  expect(refusal(() => fromGlobalId('Issue', encode('Issue:42'), 'id')).code).toBe('BAD_USER_INPUT');
});

test('a well-formed id of another type is NOT_FOUND naming the argument, with the same message as a missing record', () => {
  const sprintId = toGlobalId('Sprint', randomUUID());
  expect(refusal(() => fromGlobalId('Issue', sprintId, 'id'))).toEqual({ code: 'NOT_FOUND', field: 'id', message: 'Issue not found' });
  expect(refusal(() => fromGlobalId('User', sprintId, 'userId', 'Member')).message).toBe('Member not found');
});

test.each([
  ['empty', ''],
  ['not base64url', 'abc+/='],
  ['no colon', encode(randomUUID())],
  ['no type', encode(`:${randomUUID()}`)],
  ['not a uuid', encode('Issue:1234')],
  ['an upper-case uuid', encode(`Issue:${randomUUID().toUpperCase()}`)],
  ['a uuid with trailing text', encode(`Issue:${randomUUID()} `)],
  ['over 200 characters', encode(`Issue:${randomUUID()}${'x'.repeat(200)}`)],
])('an id that is %s is BAD_USER_INPUT naming the field', (_name, id) => {
  expect(refusal(() => fromGlobalId('Issue', id, 'issueId'))).toEqual({ code: 'BAD_USER_INPUT', field: 'issueId', message: 'issueId is not a valid id' });
});

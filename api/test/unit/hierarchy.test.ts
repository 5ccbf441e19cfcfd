// The issue hierarchy: EPIC > STORY/TASK/BUG > SUBTASK, parents in the same project.
import type { IssueType } from '../../src/generated/prisma/enums';
import { AppError } from '../../src/errors/app-error';
import { assertHierarchy, canParent } from '../../src/modules/issue/hierarchy';

const TYPES: IssueType[] = ['EPIC', 'STORY', 'TASK', 'BUG', 'SUBTASK'];
const ALLOWED = new Set(['EPIC>STORY', 'EPIC>TASK', 'EPIC>BUG', 'STORY>SUBTASK', 'TASK>SUBTASK', 'BUG>SUBTASK']);

function refusal(fn: () => void): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const parent = (type: IssueType, projectId = 'p1', id = 'parent') => ({ id, type, projectId });

test('exactly the documented parent and child pairs are allowed', () => {
  for (const p of TYPES) {
    for (const c of TYPES) expect(`${p}>${c}: ${canParent(p, c)}`).toBe(`${p}>${c}: ${ALLOWED.has(`${p}>${c}`)}`);
  }
});

test('an allowed parent in the same project passes', () => {
  expect(() => assertHierarchy({ type: 'STORY', parent: parent('EPIC'), projectId: 'p1' })).not.toThrow();
  expect(() => assertHierarchy({ type: 'SUBTASK', parent: parent('BUG'), projectId: 'p1' })).not.toThrow();
});

test('a parent of the wrong type is BAD_USER_INPUT on parentKey', () => {
  for (const [p, c] of [['STORY', 'TASK'], ['EPIC', 'EPIC'], ['EPIC', 'SUBTASK'], ['SUBTASK', 'SUBTASK']] as [IssueType, IssueType][]) {
    const error = refusal(() => assertHierarchy({ type: c, parent: parent(p), projectId: 'p1' }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.field).toBe('parentKey');
  }
});

test('a SUBTASK without a parent is refused', () => {
  expect(refusal(() => assertHierarchy({ type: 'SUBTASK', parent: null, projectId: 'p1' })).field).toBe('parentKey');
});

test('top-level issues of every other type need no parent', () => {
  for (const type of ['EPIC', 'STORY', 'TASK', 'BUG'] as IssueType[]) expect(() => assertHierarchy({ type, parent: null, projectId: 'p1' })).not.toThrow();
});

test('a parent in another project is refused', () => {
  const error = refusal(() => assertHierarchy({ type: 'STORY', parent: parent('EPIC', 'p2'), projectId: 'p1' }));
  expect(error.field).toBe('parentKey');
  expect(error.message).toMatch(/same project/);
});

test('an issue cannot be its own parent', () => {
  expect(refusal(() => assertHierarchy({ id: 'x', type: 'STORY', parent: parent('EPIC', 'p1', 'x'), projectId: 'p1' })).field).toBe('parentKey');
});

test('changing a type is refused while its existing children would no longer fit', () => {
  expect(refusal(() => assertHierarchy({ id: 'x', type: 'TASK', parent: null, projectId: 'p1', childTypes: ['STORY'] })).field).toBe('type');
  expect(refusal(() => assertHierarchy({ id: 'x', type: 'SUBTASK', parent: parent('STORY'), projectId: 'p1', childTypes: ['SUBTASK'] })).field).toBe('type');
  expect(() => assertHierarchy({ id: 'x', type: 'BUG', parent: null, projectId: 'p1', childTypes: ['SUBTASK'] })).not.toThrow();
});

test('no chain of allowed parents can lead back to where it started', () => {
  // Every allowed pair goes strictly down one level, so any chain is at most three long.
  const depth = (type: IssueType): number => Math.max(0, ...TYPES.filter((c) => canParent(type, c)).map((c) => 1 + depth(c)));
  expect(depth('EPIC')).toBe(2);
  expect(depth('SUBTASK')).toBe(0);
});

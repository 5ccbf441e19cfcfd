// The default workflow's transitions and the key formats of projects and issues.
import { AppError } from '../../src/errors/app-error';
import { DEFAULT_STATES, defaultTransitions } from '../../src/modules/project/default-workflow';
import { assertProjectKey } from '../../src/modules/project/project-key';
import { formatIssueKey, parseIssueKey } from '../../src/modules/issue/issue-key';

test('the default workflow is To Do, In Progress, In Review, Done with their categories', () => {
  expect(DEFAULT_STATES.map((s) => `${s.name}:${s.category}`)).toEqual(['To Do:TODO', 'In Progress:IN_PROGRESS', 'In Review:IN_PROGRESS', 'Done:DONE']);
});

test('transitions go forward, back one step and from anywhere to To Do, nothing else', () => {
  const names = defaultTransitions()
    .map(([from, to]) => `${DEFAULT_STATES[from]!.name} > ${DEFAULT_STATES[to]!.name}`)
    .sort();
  expect(names).toEqual(
    [
      'To Do > In Progress',
      'In Progress > In Review',
      'In Progress > To Do',
      'In Review > Done',
      'In Review > In Progress',
      'In Review > To Do',
      'Done > In Review',
      'Done > To Do',
    ].sort(),
  );
});

test('project keys are 2 to 10 upper-case letters or digits starting with a letter', () => {
  for (const key of ['AB', 'WEB', 'A1', 'ABCDEFGHIJ', 'X9Y8']) expect(() => assertProjectKey(key)).not.toThrow();
  for (const key of ['A', 'ab', '1AB', 'ABCDEFGHIJK', 'A-B', 'AB ', 'ÄB', '']) {
    expect(() => assertProjectKey(key)).toThrow(AppError);
  }
});

test('issue keys parse into project key and number, and impossible keys are not found', () => {
  expect(parseIssueKey('WEB-42')).toEqual({ projectKey: 'WEB', number: 42 });
  expect(formatIssueKey('WEB', 42)).toBe('WEB-42');
  for (const key of ['WEB-0', 'WEB-', 'web-1', 'WEB42', 'WEB-01', 'W-1']) {
    expect(() => parseIssueKey(key)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  }
});

// Issue keys: "<project key>-<number>".
import { notFound } from '../../errors/app-error';

export interface ParsedIssueKey {
  readonly projectKey: string;
  readonly number: number;
}

const ISSUE_KEY = /^([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,8})$/;

/** A key that cannot exist is simply not found, like one that does not. */
export function parseIssueKey(key: string, field = 'key'): ParsedIssueKey {
  const match = ISSUE_KEY.exec(key.trim());
  if (!match) throw notFound('Issue', field);
  return { projectKey: match[1]!, number: Number(match[2]) };
}

export function formatIssueKey(projectKey: string, number: number): string {
  return `${projectKey}-${number}`;
}

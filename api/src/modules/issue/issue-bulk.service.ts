// Bulk changes: one update or one transition applied to up to MAX_BULK_KEYS issues, all or
// nothing in one transaction. Each issue goes through the single-issue code (its own version
// bump, history entry and so realtime/webhook event); a refusal for any key rolls back all
// of them and names that key (extensions.field = "keys", extensions.key).
import type { Issue } from '../../generated/prisma/client';
import { AppError, badInput, notFound } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { assertWritable } from '../project/project-writable';
import { formatIssueKey, parseIssueKey } from './issue-key';
import { lockEventsOf, selectIssuesByKeys, type IssueWithProject } from './issue-lookup';
import { applyTransition, lockTargetState } from './issue-transition.service';
import { applyUpdate, type UpdateIssueCommand } from './issue.service';
import type { Actor, TenantScope } from '../../tenancy/scope';

export const MAX_BULK_KEYS = 100;


/** Re-raises a refusal about one issue as a refusal of the whole call that names the key. */
function naming(key: string, error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const aboutTheIssue = error.field === undefined || error.field === 'key' || error.field === 'projectKey' || error.field === 'toStateId';
  return new AppError(error.code, `${key}: ${error.message}`, {
    field: aboutTheIssue ? 'keys' : error.field,
    details: { ...error.details, key },
    cause: error,
  });
}

/**
 * Duplicates are dropped (the first occurrence keeps its place): naming an issue twice means
 * the same thing as naming it once. More than MAX_BULK_KEYS entries is BAD_USER_INPUT.
 */
function distinctKeys(keys: readonly string[]): { key: string; projectKey: string; number: number }[] {
  if (keys.length > MAX_BULK_KEYS) throw badInput('keys', `At most ${MAX_BULK_KEYS} keys at once (got ${keys.length})`);
  const seen = new Map<string, { key: string; projectKey: string; number: number }>();
  for (const raw of keys) {
    let parsed;
    try {
      parsed = parseIssueKey(raw, 'keys');
    } catch (error) {
      throw naming(raw, error);
    }
    const key = formatIssueKey(parsed.projectKey, parsed.number);
    if (!seen.has(key)) seen.set(key, { key, ...parsed });
  }
  return [...seen.values()];
}

/**
 * Locks in the order every writer here keeps: the event locks of the issues' projects (and of
 * `alsoProjectId`'s, in project id order), then `beforeIssues` (e.g. the target state), then the
 * issues' rows in id order. Two bulk changes, or a bulk change and any single write, queue
 * rather than deadlock.
 */
async function lockAll(
  tx: Tx,
  actor: Actor,
  keys: ReturnType<typeof distinctKeys>,
  alsoProjectId?: string,
  beforeIssues: () => Promise<void> = async () => undefined,
): Promise<Map<string, IssueWithProject>> {
  const seen = await selectIssuesByKeys(tx, actor.orgId, keys, false);
  await lockEventsOf(tx, [...seen.map((issue) => issue.projectId), ...(alsoProjectId ? [alsoProjectId] : [])]);
  await beforeIssues();
  const locked = await selectIssuesByKeys(tx, actor.orgId, keys, true);
  const byKey = new Map(locked.map((issue) => [formatIssueKey(issue.project.key, issue.number), issue]));
  const missing = keys.find((k) => !byKey.has(k.key));
  if (missing) throw naming(missing.key, notFound('Issue', 'keys'));
  for (const { key } of keys) {
    try {
      assertWritable(byKey.get(key)!.project);
    } catch (error) {
      throw naming(key, error);
    }
  }
  return byKey;
}

/** Applies `change` to each issue in id order; answers in the order the keys were given. */
async function applyEach(keys: ReturnType<typeof distinctKeys>, byKey: Map<string, IssueWithProject>, change: (issue: IssueWithProject, key: string) => Promise<Issue>): Promise<Issue[]> {
  const results = new Map<string, Issue>();
  const inIdOrder = [...byKey.entries()].sort(([, a], [, b]) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const [key, issue] of inIdOrder) {
    try {
      results.set(key, await change(issue, key));
    } catch (error) {
      throw naming(key, error);
    }
  }
  return keys.map((k) => results.get(k.key)!);
}

export async function updateIssues(scope: TenantScope, keys: readonly string[], command: UpdateIssueCommand): Promise<Issue[]> {
  requireRole(scope, 'issue:write');
  if (command.title === null) throw badInput('title', 'title cannot be null');
  const wanted = distinctKeys(keys);
  if (wanted.length === 0) return [];
  return scope.db.run(async (tx) => {
    const byKey = await lockAll(tx, scope, wanted);
    return applyEach(wanted, byKey, (issue) => applyUpdate(tx, scope, issue, command));
  });
}

export async function transitionIssues(scope: TenantScope, keys: readonly string[], toStateId: string): Promise<Issue[]> {
  requireRole(scope, 'issue:write');
  const wanted = distinctKeys(keys);
  if (wanted.length === 0) return [];
  return scope.db.run(async (tx) => {
    // Its project's event lock first, then the state (KEY SHARE), then the issues: the order
    // transitionIssue and deleteWorkflowState keep.
    const state = await tx.workflowState.findFirst({ where: { id: toStateId }, select: { projectId: true } });
    if (!state) throw notFound('WorkflowState', 'toStateId');
    let target: Awaited<ReturnType<typeof lockTargetState>>;
    const byKey = await lockAll(tx, scope, wanted, state.projectId, async () => {
      target = await lockTargetState(tx, toStateId);
    });
    if (!target) throw notFound('WorkflowState', 'toStateId');
    const locked = target;
    return applyEach(wanted, byKey, (issue, key) => {
      if (issue.projectId !== locked.projectId) throw badInput('keys', `${locked.name} is not a state of ${issue.project.key}`);
      return applyTransition(tx, scope, issue, locked, key);
    });
  });
}

// What makes two requests "the same" for an Idempotency-Key: the operation document (printed,
// so formatting and comments don't count), the operation name and the variables (key order
// doesn't count). Also which mutations a key can protect at all.
import { createHash } from 'node:crypto';
import { Kind, print, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** Printable ASCII without spaces, like Stripe's keys and the IETF draft's examples (UUIDs). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * Mutations whose writes do not go through the organization's request transaction (accounts,
 * sessions, API tokens, creating an organization): the key could not be stored atomically with
 * them, so a key on these is refused rather than silently not honoured.
 */
export const KEYLESS_MUTATIONS: ReadonlySet<string> = new Set([
  'signUp',
  'logIn',
  'refreshSession',
  'createApiToken',
  'revokeApiToken',
  'createOrganization',
]);

/** Variables nested deeper than this are refused before they are hashed (BAD_USER_INPUT). */
export const MAX_FINGERPRINT_DEPTH = 64;

/** Thrown when a declared variable nests deeper than MAX_FINGERPRINT_DEPTH. */
export class VariablesTooDeep extends Error {}

/**
 * Whether any variable, declared or not, nests deeper than `max`: iterative, and it stops at
 * the first value beyond the bound, so neither the stack nor the work depends on the input.
 */
export function nestsDeeperThan(variables: Record<string, unknown> | undefined, max: number): boolean {
  const pending: [unknown, number][] = [[variables, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value as object)) pending.push([child, depth + 1]);
  }
  return false;
}

// Depth-bounded, so a hostile variable can't overflow the stack (and the bound is far below
// anything the schema's input types can use).
function canonical(value: unknown, depth: number): unknown {
  if (depth > MAX_FINGERPRINT_DEPTH) throw new VariablesTooDeep();
  if (Array.isArray(value)) return value.map((item) => canonical(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k], depth + 1)]),
    );
  }
  return value;
}

/**
 * Only the variables the operation declares count (GraphQL ignores the others, so they can't
 * change what the request does). Throws VariablesTooDeep for a declared variable nested beyond
 * MAX_FINGERPRINT_DEPTH.
 */
export function requestFingerprint(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): string {
  const declared = new Set((operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value));
  const used = Object.fromEntries(Object.entries(variables ?? {}).filter(([name]) => declared.has(name)));
  const payload = JSON.stringify([print(document), operationName ?? null, canonical(used, 0)]);
  return createHash('sha256').update(payload).digest('hex');
}

/** The top-level field names an operation selects, looking through fragments. */
export function topLevelFields(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const fragments = new Map(
    document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d.selectionSet] as const),
  );
  const names: string[] = [];
  const visit = (set: SelectionSetNode, depth: number): void => {
    if (depth > 10) return;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, depth + 1);
      else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment, depth + 1);
      }
    }
  };
  visit(operation.selectionSet, 0);
  return names;
}

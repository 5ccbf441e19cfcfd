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

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function requestFingerprint(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string {
  const payload = JSON.stringify([print(document), operationName ?? null, canonical(variables ?? {})]);
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

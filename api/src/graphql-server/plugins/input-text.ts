// Refuses text PostgreSQL cannot store before anything runs: a NUL character, or a UTF-16
// surrogate without its pair (not a character at all). Checked once per request for every
// string in the operation's arguments, whether written in the document or sent as a variable,
// so no resolver or service meets one (they used to fail as INTERNAL_SERVER_ERROR).
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Context } from '../../graphql/context';
import { requestErrorStatus } from '../../errors/error-code';

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

type Variables = Readonly<Record<string, unknown>> | undefined;

interface Visit {
  readonly value: unknown;
  readonly parent: Visit | undefined;
  /** `[3]` or `.name`; the root carries the whole starting path. */
  readonly step: string;
}

function pathOf(visit: Visit): string {
  const steps: string[] = [];
  for (let at: Visit | undefined = visit; at; at = at.parent) steps.push(at.step);
  return steps.reverse().join('');
}

/**
 * The path of the first unstorable string inside a variable's value, or undefined. Walked with
 * an explicit stack and paths built only for a find: a variable nested thousands deep (sent to
 * exhaust the stack) costs time in proportion to its size, never a stack overflow.
 */
function unstorableIn(value: unknown, path: string): string | undefined {
  const stack: Visit[] = [{ value, parent: undefined, step: path }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const current = visit.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return pathOf(visit);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], parent: visit, step: `[${i}]` });
    } else if (current && typeof current === 'object') {
      const entries = Object.entries(current);
      for (const [key] of entries) if (!isStorableText(key)) return pathOf(visit);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], parent: visit, step: `.${entries[i]![0]}` });
    }
  }
  return undefined;
}

/**
 * The argument path (`input.title`, `body`) of the first unstorable string in the document's
 * arguments, literal or from a variable; then any other variable (`$name.path`).
 */
export function findUnstorableText(document: DocumentNode, variables: Variables): string | undefined {
  const path: string[] = [];
  let found: string | undefined;
  visit(document, {
    Argument: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    StringValue(node) {
      if (!found && !isStorableText(node.value)) found = path.join('.') || 'document';
    },
    Variable(node) {
      if (found || path.length === 0) return;
      found = unstorableIn(variables?.[node.name.value], path.join('.'));
    },
  });
  if (found) return found;
  for (const [name, value] of Object.entries(variables ?? {})) {
    found = unstorableIn(value, `$${name}`);
    if (found) return found;
  }
  return undefined;
}

export function inputTextPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const field = findUnstorableText(document, request.variables);
          if (field === undefined) return;
          throw new GraphQLError(`${field} must not contain NUL characters or unpaired UTF-16 surrogates`, {
            extensions: { code: 'BAD_USER_INPUT', field, http: { status: requestErrorStatus('BAD_USER_INPUT') } },
          });
        },
      };
    },
  };
}

// Builds a GraphQL document for any root field straight from the built schema, so matrix
// tests cover every operation the server has without hand-writing a query per operation.
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { buildAppSchema } from '../../src/graphql-server/schema';

export type OperationKind = 'query' | 'mutation' | 'subscription';

export interface RootOperation {
  readonly kind: OperationKind;
  readonly name: string;
  readonly field: GraphQLField<unknown, unknown>;
}

/** Every query, mutation and subscription of the server's schema. */
export function rootOperations(schema: GraphQLSchema = buildAppSchema()): RootOperation[] {
  const list: RootOperation[] = [];
  const roots = [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const;
  for (const [kind, type] of roots) {
    for (const field of Object.values(type?.getFields() ?? {})) list.push({ kind, name: field.name, field });
  }
  return list;
}

export function findOperation(name: string, schema: GraphQLSchema = buildAppSchema()): RootOperation {
  const found = rootOperations(schema).find((operation) => operation.name === name);
  if (!found) throw new Error(`The schema has no operation named ${name}`);
  return found;
}

/**
 * A selection of every field reachable within `depth` object levels (fields with required
 * arguments are skipped; optional ones take their defaults). Depth 0 selects leaves only.
 */
export function selectionFor(type: GraphQLNamedType, depth: number, schema: GraphQLSchema = buildAppSchema(), aliased: ReadonlySet<string> = new Set()): string {
  if (isLeafType(type)) return '';
  const parts = ['__typename'];
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
      const named = getNamedType(field.type);
      const name = aliased.has(field.name) ? `${type.name}_${field.name}: ${field.name}` : field.name;
      if (isLeafType(named)) parts.push(name);
      else if (depth > 0) parts.push(`${name} ${selectionFor(named, depth - 1, schema)}`);
    }
  }
  if (isAbstractType(type) && depth > 0) {
    const possibleTypes = schema.getPossibleTypes(type);
    // Fields of one name but different types (ApiToken.expiresAt is nullable, Invitation's is
    // not) cannot share a response key, even in fragments on different types: alias them.
    const typesByName = new Map<string, Set<string>>();
    for (const possible of possibleTypes) {
      for (const field of Object.values(possible.getFields())) typesByName.set(field.name, (typesByName.get(field.name) ?? new Set()).add(String(field.type)));
    }
    const conflicting = new Set([...typesByName].filter(([, types]) => types.size > 1).map(([name]) => name));
    for (const possible of possibleTypes) parts.push(`... on ${possible.name} ${selectionFor(possible, depth - 1, schema, conflicting)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** `mutation($a: T!) { op(a: $a) { …selection } }` for the variables given (and only those). */
export function documentFor(operation: RootOperation, variables: Record<string, unknown>, depth: number, schema: GraphQLSchema = buildAppSchema()): string {
  const args = operation.field.args.filter((arg) => arg.name in variables);
  const unknown = Object.keys(variables).filter((name) => !operation.field.args.some((arg) => arg.name === name));
  if (unknown.length > 0) throw new Error(`${operation.name} has no argument(s) ${unknown.join(', ')}`);
  const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const call = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = selectionFor(getNamedType(operation.field.type), depth, schema);
  return `${operation.kind}${definitions ? `(${definitions})` : ''} { ${operation.name}${call ? `(${call})` : ''} ${selection} }`;
}

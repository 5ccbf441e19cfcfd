// What a GraphQL operation costs before it runs: an upper bound on the objects it can fetch,
// with long text weighted by how much it can hold. The limit, extensions.cost and the rate
// limiter all read this one number, so a client sees the price it is charged.
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  typeFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  isObjectType,
  isInterfaceType,
  getArgumentValues,
} from 'graphql';
import { MAX_PAGE_SIZE } from '../graphql/pagination';
import { rowTextWeight } from './long-text';

/** A list without a size argument (labels, workflow, children, ...) is priced at this many items. */
export const UNSIZED_LIST_ITEMS = 10;

/** Arguments that say how many items a list or connection returns. */
const SIZE_ARGUMENTS = ['first', 'last'] as const;

export type Variables = Readonly<Record<string, unknown>> | undefined;

/**
 * The cost of `operation` (with the document's fragments and the request's variables):
 * every object the response can hold costs 1 (a connection, each edge, each node) plus the
 * weight of the long text its row carries, asked for or not (the loaders fetch whole rows;
 * see long-text.ts); a `totalCount` costs 1 (a count query); scalars are free. A list costs its size times its items: the `first`/`last`
 * argument (literal, variable or default, at most MAX_PAGE_SIZE) sizes a connection's edges,
 * an unsized list counts UNSIZED_LIST_ITEMS. @skip/@include are ignored (an upper bound).
 * An operation costs at least 1.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return 1;
  // A fragment's cost is the same wherever it is spread (costs are linear in the list sizes
  // around it), so each is priced once: nested spreads cannot make this walk exponential.
  const fragmentCosts = new Map<string, number>();
  const visiting = new Set<string>();

  function selectionCost(type: GraphQLCompositeType, selectionSet: SelectionSetNode, pageSize: number): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(type, selection.name.value, selection, pageSize);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? typeFromAST(schema, selection.typeCondition) : type;
        total += selectionCost(isCompositeType(on) ? on : type, selection.selectionSet, pageSize);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        const key = `${name}@${pageSize}`;
        let cost = fragmentCosts.get(key);
        if (cost === undefined) {
          visiting.add(name);
          const on = typeFromAST(schema, fragment.typeCondition);
          cost = selectionCost(isCompositeType(on) ? on : type, fragment.selectionSet, pageSize);
          visiting.delete(name);
          fragmentCosts.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  }

  function fieldCost(parent: GraphQLCompositeType, name: string, node: FieldNode, pageSize: number): number {
    if (name.startsWith('__')) return 0;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    if (!field) return 0;
    const named = getNamedType(field.type);
    const size = requestedSize(field, node);
    const isList = isListType(getNullableType(field.type));
    // A list holds its own size, else the page of the connection it is in (edges), else a guess.
    const items = isList ? (size ?? (pageSize > 1 ? pageSize : UNSIZED_LIST_ITEMS)) : 1;
    // Scalars come with their object's row, long text included (priced with the object).
    if (!isCompositeType(named)) return name === 'totalCount' ? 1 : 0;
    const inner = node.selectionSet ? selectionCost(named, node.selectionSet, isList ? 1 : (size ?? 1)) : 0;
    return items * (1 + rowTextWeight(schema, named) + inner);
  }

  function requestedSize(field: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined {
    const sized = field.args.filter((arg) => (SIZE_ARGUMENTS as readonly string[]).includes(arg.name));
    if (sized.length === 0) return undefined;
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(field, node, variables as Record<string, unknown> | undefined);
    } catch {
      // A variable that does not coerce fails in execution with its own error; price the maximum.
      return MAX_PAGE_SIZE;
    }
    let size = 0;
    for (const arg of sized) {
      const value = values[arg.name];
      if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size, Math.min(Math.max(Math.trunc(value), 0), MAX_PAGE_SIZE));
    }
    return Math.max(size, 1);
  }

  return Math.max(1, Math.ceil(selectionCost(root, operation.selectionSet, 1)));
}

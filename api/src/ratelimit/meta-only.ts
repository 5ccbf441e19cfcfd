// Whether an operation reads nothing but GraphQL's own meta fields at its root (`__typename`,
// `__schema`, `__type`): such a document touches no tenant data and no database, so it is
// charged to the caller alone and never opens the request transaction to prove a membership.
// Fragments at the root are not looked into: they count as data (charged as before).
import type { OperationDefinitionNode } from 'graphql';

export function selectsOnlyMetaFields(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every((selection) => selection.kind === 'Field' && selection.name.value.startsWith('__'));
}

// Which arguments a client actually gave. An argument with a schema default (first: Int = 50)
// arrives with a value either way; paging must know whether the client asked for it.
import type { GraphQLResolveInfo } from 'graphql';

/** True when the field's argument `name` is written in the document with a non-null value. */
export function isArgGiven(info: GraphQLResolveInfo, name: string): boolean {
  const node = info.fieldNodes[0]?.arguments?.find((argument) => argument.name.value === name);
  if (!node) return false;
  if (node.value.kind === 'NullValue') return false;
  if (node.value.kind === 'Variable') return info.variableValues[node.value.name.value] != null;
  return true;
}

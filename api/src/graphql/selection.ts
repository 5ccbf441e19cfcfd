// Looking ahead at what a client selected below a field, fragments flattened, so a resolver
// can fetch in one statement what the field resolvers beneath it would otherwise load one
// relation at a time. Over-reporting is harmless (a relation fetched and not shown);
// under-reporting only costs the loader statement the look-ahead would have saved.
import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

export type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

/** The fields selected on an object, by response key (alias or name); a key may repeat over fragments. */
export class Selection {
  private constructor(private readonly byKey: ReadonlyMap<string, readonly FieldNode[]>, private readonly fragments: Fragments) {}

  /** The selection below `info`'s field (all its field nodes merged). */
  static of(info: GraphQLResolveInfo): Selection {
    return Selection.ofNodes(info.fieldNodes, info.fragments);
  }

  static ofNodes(nodes: readonly FieldNode[], fragments: Fragments): Selection {
    const byKey = new Map<string, FieldNode[]>();
    for (const node of nodes) collect(node.selectionSet, fragments, byKey, new Set());
    return new Selection(byKey, fragments);
  }

  /** Whether a field of this name is selected under any response key. */
  has(name: string): boolean {
    return this.responseKeysOf(name).length > 0;
  }

  /** The response keys under which field `name` is selected. */
  responseKeysOf(name: string): string[] {
    return [...this.byKey].filter(([, nodes]) => nodes.some((node) => node.name.value === name)).map(([key]) => key);
  }

  /** The field nodes answering `responseKey`. */
  nodes(responseKey: string): readonly FieldNode[] {
    return this.byKey.get(responseKey) ?? [];
  }

  /** What is selected below every field named `name` (all response keys merged). */
  below(name: string): Selection {
    return Selection.ofNodes(this.responseKeysOf(name).flatMap((key) => this.nodes(key)), this.fragments);
  }
}

function collect(set: SelectionSetNode | undefined, fragments: Fragments, into: Map<string, FieldNode[]>, seen: Set<string>): void {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = into.get(key);
      if (list) list.push(selection);
      else into.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, fragments, into, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      collect(fragments[selection.name.value]?.selectionSet, fragments, into, seen);
    }
  }
}

/** A field's place in the response ("project.issues"), list indexes included. */
export function responsePath(path: GraphQLResolveInfo['path']): string {
  const keys: (string | number)[] = [];
  for (let at: GraphQLResolveInfo['path'] | undefined = path; at; at = at.prev) keys.push(at.key);
  return keys.reverse().join('.');
}

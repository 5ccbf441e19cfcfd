// Relations a compiled statement joined for an issue row, handed straight to the field
// resolvers. The loaders are primed with the same values (other fields and paths read them
// there); this only spares a board page's couple of hundred relation fields a loader round and
// its promises each. A row that was not read by a compiled statement has no entry.
import type { Issue, Label, Project, WorkflowState } from '../../generated/prisma/client';
import type { Context, Tenant } from '../../graphql/context';
import type { PublicUser } from '../user/user.loaders';

/** undefined: not joined (load it); null: joined and absent. */
export interface JoinedRelations {
  project?: Project | null;
  status?: WorkflowState | null;
  assignee?: PublicUser | null;
  reporter?: PublicUser | null;
  labels?: Label[];
}

const joined = new WeakMap<Issue, JoinedRelations>();

export function joinRelations(issue: Issue, relations: JoinedRelations): void {
  joined.set(issue, relations);
}

export function joinedRelations(issue: Issue): JoinedRelations | undefined {
  return joined.get(issue);
}

/**
 * The joined value when there is one (null included: joined and absent, which a non-null
 * field then reports as GraphQL does for a missing row), else what `load` reads.
 */
export function joinedOr<T>(joined: T | null | undefined, ctx: Context, load: (tenant: Tenant) => Promise<T>): T | Promise<T> {
  return joined !== undefined ? joined! : ctx.tenant().then(load);
}

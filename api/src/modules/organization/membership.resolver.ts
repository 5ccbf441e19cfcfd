// Membership's id: one per organization and user, so the same person's memberships in two
// organizations never share a Relay id.
import { FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { Membership } from '../../generated/prisma/client';
import { toGlobalId } from '../../graphql/global-id';
import { MembershipObject } from './organization.type';

@Resolver(() => MembershipObject)
export class MembershipResolver {
  @FieldResolver(() => ID)
  id(@Root() membership: Membership): string {
    return toGlobalId('Membership', `${membership.orgId}:${membership.userId}`);
  }
}

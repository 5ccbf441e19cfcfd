// Invitations: invite (ADMIN+), accept (the invited, signed-in user), revoke and list (ADMIN+).
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Invitation } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { Role } from '../../graphql/enums';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import * as invitations from './invitation.service';
import type { MembershipWithUser } from './organization.service';
import { CreatedInvitation, InvitationObject } from './invitation.type';
import { MembershipObject } from './organization.type';
import { UserObject } from '../user/user.type';
import { userLoaders, type PublicUser } from '../user/user.loaders';

@Resolver(() => InvitationObject)
export class InvitationResolver {
  @Query(() => [InvitationObject], { description: "ADMIN or OWNER: this organization's pending invitations, newest first." })
  async invitations(@Ctx() ctx: Context): Promise<Invitation[]> {
    const tenant = await ctx.tenant();
    return invitations.listInvitations(tenant);
  }

  @Mutation(() => CreatedInvitation, { description: 'ADMIN or OWNER (OWNER to invite an OWNER); the same answer whether or not an account exists.' })
  async inviteMember(@Arg('email', () => String) email: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: Context): Promise<{ invitation: Invitation; token: string }> {
    const tenant = await ctx.tenant();
    return invitations.inviteMember(tenant, email, role, ctx.services.config.invitationTtlDays);
  }

  @Mutation(() => MembershipObject, { description: 'The signed-in user whose email the invitation names; needs no x-org-id.' })
  async acceptInvitation(@Arg('token', () => String) token: string, @Ctx() ctx: Context): Promise<MembershipWithUser> {
    return invitations.acceptInvitation(await ctx.viewerDb(), token);
  }

  @Mutation(() => Boolean, { description: 'ADMIN or OWNER (OWNER for an OWNER invitation).' })
  async revokeInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return invitations.revokeInvitation(tenant, fromGlobalId('Invitation', id, 'id'));
  }

  @FieldResolver(() => ID)
  id(@Root() invitation: Invitation): string {
    return toGlobalId('Invitation', invitation.id);
  }

  @FieldResolver(() => UserObject)
  async invitedBy(@Root() invitation: Invitation, @Ctx() ctx: Context): Promise<PublicUser> {
    return (await (await ctx.tenant()).loaders(userLoaders).user.load(invitation.invitedById))!;
  }
}

// Organization queries, membership mutations and the Organization/Membership fields.
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Organization } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { Role } from '../../graphql/enums';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import type { ConnectionShape } from '../../graphql/pagination';
import { CreateOrganizationInput } from './organization.input';
import * as organizations from './organization.service';
import { MembershipConnection, MembershipObject, OrganizationObject } from './organization.type';
import { ConnectionArgs, pageOf } from '../../graphql/connection-args';
import type { GraphQLResolveInfo } from 'graphql';

@Resolver(() => OrganizationObject)
export class OrganizationResolver {
  @Query(() => [OrganizationObject], { description: "The viewer's organizations." })
  async organizations(@Ctx() ctx: Context): Promise<organizations.OrganizationForViewer[]> {
    return organizations.listMyOrganizations(await ctx.viewerDb());
  }

  @Query(() => OrganizationObject, { description: 'The organization named by x-org-id.' })
  async organization(@Ctx() ctx: Context): Promise<organizations.OrganizationForViewer> {
    const tenant = await ctx.tenant();
    return organizations.currentOrganization(tenant);
  }

  @Mutation(() => OrganizationObject, { description: 'The creator becomes OWNER.' })
  async createOrganization(@Arg('input', () => CreateOrganizationInput) input: CreateOrganizationInput, @Ctx() ctx: Context): Promise<organizations.OrganizationForViewer> {
    return organizations.createOrganization(await ctx.viewerDb(), input);
  }

  @Mutation(() => MembershipObject)
  async updateMemberRole(@Arg('userId', () => ID) userId: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: Context) {
    const tenant = await ctx.tenant();
    return organizations.updateMemberRole(tenant, fromGlobalId('User', userId, 'userId', 'Member'), role);
  }

  @Mutation(() => Boolean)
  async removeMember(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return organizations.removeMember(tenant, fromGlobalId('User', userId, 'userId', 'Member'));
  }

  @FieldResolver(() => ID)
  id(@Root() org: Organization): string {
    return toGlobalId('Organization', org.id);
  }

  @FieldResolver(() => MembershipConnection)
  async members(
    @Root() org: Organization,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<organizations.MembershipWithUser>> {
    const viewer = await ctx.viewerDb();
    return organizations.listMembers(viewer.forOrg(org.id), pageOf(page, info));
  }
}

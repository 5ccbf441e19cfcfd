// Sprint mutations and fields.
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { Issue, Sprint } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import type { ConnectionShape } from '../../graphql/pagination';
import { IssueConnection } from '../issue/issue.type';
import { listIssues } from '../issue/issue-list';
import { CreateSprintInput, UpdateSprintInput } from './sprint.input';
import * as sprints from './sprint.service';
import { SprintObject } from './sprint.type';
import { ConnectionArgs, pageOf } from '../../graphql/connection-args';
import type { GraphQLResolveInfo } from 'graphql';
import { issueLoaders } from '../issue/issue.loaders';

@Resolver(() => SprintObject)
export class SprintResolver {
  @Mutation(() => SprintObject)
  async createSprint(@Arg('input', () => CreateSprintInput) input: CreateSprintInput, @Ctx() ctx: Context): Promise<Sprint> {
    const tenant = await ctx.tenant();
    return sprints.createSprint(tenant, input);
  }

  @Mutation(() => SprintObject)
  async startSprint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Sprint> {
    const tenant = await ctx.tenant();
    return sprints.startSprint(tenant, fromGlobalId('Sprint', id, 'id'));
  }

  @Mutation(() => SprintObject)
  async completeSprint(
    @Arg('id', () => ID) id: string,
    @Arg('moveOpenIssuesToSprintId', () => ID, { nullable: true }) moveTo: string | null,
    @Ctx() ctx: Context,
  ): Promise<Sprint> {
    const tenant = await ctx.tenant();
    const target = moveTo ? fromGlobalId('Sprint', moveTo, 'moveOpenIssuesToSprintId') : null;
    return sprints.completeSprint(tenant, fromGlobalId('Sprint', id, 'id'), target);
  }

  @Mutation(() => SprintObject, { description: 'ADMIN or OWNER; omitted fields keep their values, null clears goal and dates.' })
  async updateSprint(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateSprintInput) input: UpdateSprintInput, @Ctx() ctx: Context): Promise<Sprint> {
    const tenant = await ctx.tenant();
    return sprints.updateSprint(tenant, fromGlobalId('Sprint', id, 'id'), input);
  }

  @Mutation(() => Boolean, { description: 'ADMIN or OWNER; not an ACTIVE sprint. Its issues go back to the backlog.' })
  async deleteSprint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return sprints.deleteSprint(tenant, fromGlobalId('Sprint', id, 'id'));
  }

  @FieldResolver(() => ID)
  id(@Root() sprint: Sprint): string {
    return toGlobalId('Sprint', sprint.id);
  }

  @FieldResolver(() => IssueConnection)
  async issues(
    @Root() sprint: Sprint,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Issue>> {
    const { db, loaders } = await ctx.tenant();
    return listIssues(db, { projectId: sprint.projectId, sprintId: sprint.id }, null, null, pageOf(page, info), loaders(issueLoaders).issuePages);
  }
}

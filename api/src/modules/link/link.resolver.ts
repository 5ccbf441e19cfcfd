// Link mutations and IssueLink fields.
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Issue } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { IssueLinkType } from '../../graphql/enums';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { IssueObject } from '../issue/issue.type';
import * as links from './link.service';
import { IssueLinkObject } from './link.type';
import { issueLoaders } from '../issue/issue.loaders';

@Resolver(() => IssueLinkObject)
export class IssueLinkResolver {
  @Mutation(() => IssueLinkObject)
  async linkIssues(
    @Arg('fromKey', () => String) fromKey: string,
    @Arg('toKey', () => String) toKey: string,
    @Arg('type', () => IssueLinkType) type: IssueLinkType,
    @Ctx() ctx: Context,
  ): Promise<links.LinkView> {
    const tenant = await ctx.tenant();
    return links.linkIssues(tenant, fromKey, toKey, type);
  }

  @Mutation(() => Boolean)
  async unlinkIssues(@Arg('linkId', () => ID) linkId: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return links.unlinkIssues(tenant, fromGlobalId('IssueLink', linkId, 'linkId'));
  }

  @FieldResolver(() => ID)
  id(@Root() link: links.LinkView): string {
    return toGlobalId('IssueLink', link.id);
  }

  @FieldResolver(() => IssueObject)
  async issue(@Root() link: links.LinkView, @Ctx() ctx: Context): Promise<Issue> {
    return (await (await ctx.tenant()).loaders(issueLoaders).issue.load(link.otherIssueId))!;
  }
}

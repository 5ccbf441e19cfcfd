// IssueEvent fields.
import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { Issue, IssueEvent } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { toGlobalId } from '../../graphql/global-id';
import { IssueObject } from '../issue/issue.type';
import { UserObject } from '../user/user.type';
import { IssueEventObject } from './event.type';
import { issueLoaders } from '../issue/issue.loaders';
import { userLoaders, type PublicUser } from '../user/user.loaders';

@Resolver(() => IssueEventObject)
export class IssueEventResolver {
  @FieldResolver(() => ID)
  id(@Root() event: IssueEvent): string {
    return toGlobalId('IssueEvent', event.id);
  }

  @FieldResolver(() => IssueObject)
  async issue(@Root() event: IssueEvent, @Ctx() ctx: Context): Promise<Issue | null> {
    // Events of a deleted issue still name it: read it including deleted rows.
    const tenant = await ctx.tenant();
    return (await tenant.loaders(issueLoaders).issue.load(event.issueId)) ?? tenant.db.read((tx) => tx.issue.findUnique({ where: { id: event.issueId } }));
  }

  @FieldResolver(() => UserObject)
  async actor(@Root() event: IssueEvent, @Ctx() ctx: Context): Promise<PublicUser> {
    return (await (await ctx.tenant()).loaders(userLoaders).user.load(event.actorId))!;
  }
}

// User fields and the `viewer` query.
import { Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { PublicUser } from '../../auth/public-user';
import type { Context } from '../../graphql/context';
import { toGlobalId } from '../../graphql/global-id';
import { UserObject } from './user.type';
import { findViewer } from './user.service';

@Resolver(() => UserObject)
export class UserResolver {
  @Query(() => UserObject, { description: 'The signed-in user; needs a token, no x-org-id.' })
  async viewer(@Ctx() ctx: Context): Promise<PublicUser> {
    return findViewer(await ctx.viewerDb());
  }

  @FieldResolver(() => ID)
  id(@Root() user: PublicUser): string {
    return toGlobalId('User', user.id);
  }
}

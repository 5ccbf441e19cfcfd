// User fields and the `viewer` query.
import { Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { User } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { toGlobalId } from '../../graphql/global-id';
import { UserObject } from './user.type';
import { findViewer } from './user.service';

@Resolver(() => UserObject)
export class UserResolver {
  @Query(() => UserObject, { description: 'The signed-in user; needs a token, no x-org-id.' })
  async viewer(@Ctx() ctx: Context): Promise<User> {
    return findViewer(await ctx.viewerDb());
  }

  @FieldResolver(() => ID)
  id(@Root() user: User): string {
    return toGlobalId('User', user.id);
  }
}

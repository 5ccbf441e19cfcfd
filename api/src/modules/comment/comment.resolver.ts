// Comment mutations and fields.
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Comment } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { UserObject } from '../user/user.type';
import { mentionedUserIds } from '../notification/mentions';
import * as comments from './comment.service';
import { CommentObject } from './comment.type';
import { userLoaders, type PublicUser } from '../user/user.loaders';

@Resolver(() => CommentObject)
export class CommentResolver {
  @Mutation(() => CommentObject)
  async addComment(@Arg('issueKey', () => String) issueKey: string, @Arg('body', () => String) body: string, @Ctx() ctx: Context): Promise<Comment> {
    const tenant = await ctx.tenant();
    return comments.addComment(tenant, issueKey, body);
  }

  @Mutation(() => CommentObject, { description: 'Author only.' })
  async updateComment(@Arg('id', () => ID) id: string, @Arg('body', () => String) body: string, @Ctx() ctx: Context): Promise<Comment> {
    const tenant = await ctx.tenant();
    return comments.updateComment(tenant, fromGlobalId('Comment', id, 'id'), body);
  }

  @Mutation(() => Boolean, { description: 'Author or ADMIN.' })
  async deleteComment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return comments.deleteComment(tenant, fromGlobalId('Comment', id, 'id'));
  }

  @FieldResolver(() => ID)
  id(@Root() comment: Comment): string {
    return toGlobalId('Comment', comment.id);
  }

  @FieldResolver(() => UserObject)
  async author(@Root() comment: Comment, @Ctx() ctx: Context): Promise<PublicUser> {
    return (await (await ctx.tenant()).loaders(userLoaders).user.load(comment.authorId))!;
  }

  @FieldResolver(() => [UserObject], { description: 'The members the body mentions as <@User.id>, in order of first mention' })
  async mentions(@Root() comment: Comment, @Ctx() ctx: Context): Promise<PublicUser[]> {
    const ids = mentionedUserIds(comment.body);
    if (ids.length === 0) return [];
    const { loaders } = await ctx.tenant();
    return (await loaders(userLoaders).member.loadMany(ids)).filter((user): user is PublicUser => user !== null && user !== undefined && !(user instanceof Error));
  }
}

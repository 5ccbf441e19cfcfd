// Query.notifications, Mutation.markNotificationsRead and Notification's fields.
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Issue, Notification } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { ConnectionArgs, pageOf } from '../../graphql/connection-args';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { IssueObject } from '../issue/issue.type';
import { UserObject } from '../user/user.type';
import { findOwnNotification, listNotifications, markNotificationsRead, MARK_READ_MAX_IDS, type NotificationPage } from './notification.service';
import type { RealtimeContext } from '../realtime/realtime.resolver';
import { NotificationConnection, NotificationObject } from './notification.type';
import { AppError, badInput, notFound } from '../../errors/app-error';
import { issueLoaders } from '../issue/issue.loaders';
import { userLoaders, type PublicUser } from '../user/user.loaders';

@Resolver(() => NotificationObject)
export class NotificationResolver {
  @Query(() => NotificationConnection, { description: "The viewer's notifications in this organization, newest first" })
  async notifications(
    @Arg('unreadOnly', () => Boolean, { nullable: true, defaultValue: false }) unreadOnly: boolean | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<NotificationPage> {
    const tenant = await ctx.tenant();
    return listNotifications(tenant, unreadOnly === true, pageOf(page, info));
  }

  @Mutation(() => Int, { description: "Marks the viewer's notifications read, by id or all; answers how many changed" })
  async markNotificationsRead(
    @Arg('ids', () => [ID], { nullable: true }) ids: string[] | null | undefined,
    @Arg('all', () => Boolean, { nullable: true, defaultValue: false }) all: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<number> {
    if (ids != null && ids.length > MARK_READ_MAX_IDS) throw badInput('ids', `At most ${MARK_READ_MAX_IDS} ids at once`);
    const rowIds = ids?.map((id) => fromGlobalId('Notification', id, 'ids')) ?? null;
    const tenant = await ctx.tenant();
    return markNotificationsRead(tenant, rowIds, all === true);
  }

  @Subscription(() => NotificationObject, {
    description: "The viewer's new notifications in the organization of x-org-id, from any instance, as they are written",
    subscribe: async ({ context }) => {
      const ctx = context as RealtimeContext;
      if (!ctx.realtime) throw new AppError('BAD_USER_INPUT', 'Subscriptions run over graphql-ws on /graphql, not over HTTP');
      return ctx.realtime.notifications.subscribe(await ctx.tenant(), ctx.realtime.link);
    },
  })
  async notificationAdded(@Root() id: string, @Ctx() ctx: Context): Promise<Notification> {
    // Loaded under the tenant as of this batch: the membership was checked again just before.
    const tenant = await ctx.tenant();
    const row = await findOwnNotification(tenant, id);
    if (!row) throw notFound('Notification', 'id');
    return row;
  }

  @FieldResolver(() => ID)
  id(@Root() notification: Notification): string {
    return toGlobalId('Notification', notification.id);
  }

  @FieldResolver(() => IssueObject)
  async issue(@Root() notification: Notification, @Ctx() ctx: Context): Promise<Issue> {
    return (await (await ctx.tenant()).loaders(issueLoaders).issue.load(notification.issueId))!;
  }

  @FieldResolver(() => UserObject)
  async actor(@Root() notification: Notification, @Ctx() ctx: Context): Promise<PublicUser> {
    return (await (await ctx.tenant()).loaders(userLoaders).user.load(notification.actorId))!;
  }
}

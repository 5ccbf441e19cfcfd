// Webhook queries and mutations, and the fields that turn row ids into global ids.
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Webhook, WebhookDelivery } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { toGlobalId } from '../../graphql/global-id';
import type { ConnectionShape } from '../../graphql/pagination';
import { CreatedWebhookObject, WebhookDeliveryConnection, WebhookDeliveryObject, WebhookObject } from './webhook.type';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, redeliver, type CreatedWebhook } from './webhook.service';
import { ConnectionArgs, pageOf } from '../../graphql/connection-args';
import type { GraphQLResolveInfo } from 'graphql';

@Resolver(() => WebhookObject)
export class WebhookResolver {
  @Query(() => [WebhookObject], { description: 'ADMIN and up' })
  async webhooks(@Arg('projectKey', () => String) projectKey: string, @Ctx() ctx: Context): Promise<Webhook[]> {
    const tenant = await ctx.tenant();
    return listWebhooks(tenant, projectKey);
  }

  @Query(() => WebhookDeliveryConnection, { description: 'ADMIN and up; newest first' })
  async webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<WebhookDelivery>> {
    const tenant = await ctx.tenant();
    return listDeliveries(tenant, webhookId, pageOf(page, info));
  }

  @Mutation(() => CreatedWebhookObject, { description: 'ADMIN and up; the signing secret is returned here only' })
  async createWebhook(
    @Arg('projectKey', () => String) projectKey: string,
    @Arg('url', () => String) url: string,
    @Arg('events', () => [String]) events: string[],
    @Ctx() ctx: Context,
  ): Promise<CreatedWebhook> {
    const tenant = await ctx.tenant();
    return createWebhook(tenant, ctx.services.config.webhooks, { projectKey, url, events });
  }

  @Mutation(() => Boolean)
  async deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return deleteWebhook(tenant, id);
  }

  @Mutation(() => WebhookDeliveryObject)
  async redeliverWebhook(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: Context): Promise<WebhookDelivery> {
    const tenant = await ctx.tenant();
    return redeliver(tenant, deliveryId);
  }

  @FieldResolver(() => ID)
  id(@Root() webhook: Webhook): string {
    return toGlobalId('Webhook', webhook.id);
  }
}

@Resolver(() => WebhookDeliveryObject)
export class WebhookDeliveryResolver {
  @FieldResolver(() => ID)
  id(@Root() delivery: WebhookDelivery): string {
    return toGlobalId('WebhookDelivery', delivery.id);
  }

  @FieldResolver(() => ID)
  eventId(@Root() delivery: WebhookDelivery): string {
    return toGlobalId('IssueEvent', delivery.eventId);
  }
}

// Webhook, the once-only CreatedWebhook, and WebhookDelivery (with its connection).
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { WebhookDeliveryStatus } from '../../generated/prisma/enums';
import { connectionTypes } from '../../graphql/connection';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

@ObjectType('Webhook', { implements: Node, simpleResolvers: true })
export class WebhookObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) url!: string;
  @Field(() => [String], { description: 'IssueEvent kinds (CREATED, UPDATED, ...), or ["*"] for all' }) events!: string[];
  @Field(() => Boolean) isActive!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('CreatedWebhook', { description: 'The signing secret is shown here, once.', simpleResolvers: true })
export class CreatedWebhookObject {
  @Field(() => String) secret!: string;
  @Field(() => WebhookObject) webhook!: WebhookObject;
}

@ObjectType('WebhookDelivery', { implements: Node, simpleResolvers: true })
export class WebhookDeliveryObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'The IssueEvent delivered; receivers de-duplicate on it' }) eventId!: string;
  @Field(() => WebhookDeliveryStatus) status!: WebhookDeliveryStatus;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) responseStatus!: number | null;
  @Field(() => DateTimeScalar, { nullable: true }) lastAttemptAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) nextAttemptAt!: Date | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

export const { Edge: WebhookDeliveryEdge, Connection: WebhookDeliveryConnection } = connectionTypes('WebhookDelivery', WebhookDeliveryObject);

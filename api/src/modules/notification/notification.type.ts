// Notification object type and its connection (with the viewer's unread count).
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../graphql/connection';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('Notification', { implements: Node, simpleResolvers: true })
export class NotificationObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'ASSIGNED, MENTIONED, COMMENTED, TRANSITIONED (on issues the user watches)' }) kind!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) readAt!: Date | null;
}

@ObjectType('NotificationEdge', { simpleResolvers: true })
export class NotificationEdge {
  @Field(() => String) cursor!: string;
  @Field(() => NotificationObject) node!: NotificationObject;
}

@ObjectType('NotificationConnection', { simpleResolvers: true })
export class NotificationConnection {
  @Field(() => [NotificationEdge]) edges!: NotificationEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
  @Field(() => Int, { description: "The viewer's unread notifications in this organization" }) unreadCount!: number;
}

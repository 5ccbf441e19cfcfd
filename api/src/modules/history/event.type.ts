// IssueEvent: one history entry.
import { Field, ID, ObjectType } from 'type-graphql';
import { connectionTypes } from '../../graphql/connection';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('IssueEvent', { implements: Node, description: 'One entry per change, written in the same transaction as the change.', simpleResolvers: true })
export class IssueEventObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'CREATED, UPDATED, TRANSITIONED, COMMENTED, LINKED, ...' }) kind!: string;
  @Field(() => String, { nullable: true, description: 'For UPDATED: the field that changed' }) field!: string | null;
  @Field(() => JSONScalar, { nullable: true }) from!: unknown;
  @Field(() => JSONScalar, { nullable: true }) to!: unknown;
  @Field(() => DateTimeScalar) at!: Date;
}

export const { Edge: IssueEventEdge, Connection: IssueEventConnection } = connectionTypes('IssueEvent', IssueEventObject);

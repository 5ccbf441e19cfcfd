// Comment object type and its connection.
import { Field, ID, ObjectType } from 'type-graphql';
import { connectionTypes } from '../../graphql/connection';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('Comment', { implements: Node, simpleResolvers: true })
export class CommentObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) body!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) editedAt!: Date | null;
}

export const { Edge: CommentEdge, Connection: CommentConnection } = connectionTypes('Comment', CommentObject);

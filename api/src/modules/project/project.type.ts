// Project object type and its connection.
import { Field, ID, ObjectType } from 'type-graphql';
import { connectionTypes } from '../../graphql/connection';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('Project', { implements: Node, simpleResolvers: true })
export class ProjectObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: '2-10 upper-case letters/digits, starts with a letter, unique per org' }) key!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) archivedAt!: Date | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

export const { Edge: ProjectEdge, Connection: ProjectConnection } = connectionTypes('Project', ProjectObject);

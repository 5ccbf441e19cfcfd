// The Issue object type and its connection. Relation fields are resolved in
// issue-fields.resolver.ts through DataLoaders.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { IssueType, Priority } from '../../graphql/enums';
import { connectionTypes } from '../../graphql/connection';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('Issue', { implements: Node, simpleResolvers: true })
export class IssueObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => IssueType) type!: IssueType;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Priority) priority!: Priority;
  @Field(() => Float, { nullable: true }) storyPoints!: number | null;
  @Field(() => DateTimeScalar, { nullable: true }) dueDate!: Date | null;
  @Field(() => String, { description: 'Lexicographic board order within the project' }) rank!: string;
  @Field(() => Int, { description: 'Increases by one on every change; used for optimistic concurrency' }) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

export const { Edge: IssueEdge, Connection: IssueConnection } = connectionTypes('Issue', IssueObject);

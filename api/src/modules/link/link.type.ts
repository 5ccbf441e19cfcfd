// IssueLink as seen from one issue: `outward` tells the direction, `issue` is the other end.
import { Field, ID, ObjectType } from 'type-graphql';
import { IssueLinkType } from '../../graphql/enums';
import { Node } from '../node/node.interface';

@ObjectType('IssueLink', { implements: Node, simpleResolvers: true })
export class IssueLinkObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => IssueLinkType) type!: IssueLinkType;
  @Field(() => Boolean) outward!: boolean;
}

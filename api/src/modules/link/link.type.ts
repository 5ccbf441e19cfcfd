// IssueLink as seen from one issue: `outward` tells the direction, `issue` is the other end.
import { Field, ID, ObjectType } from 'type-graphql';
import { IssueLinkType } from '../../graphql/enums';

@ObjectType('IssueLink', { simpleResolvers: true })
export class IssueLinkObject {
  @Field(() => ID) id!: string;
  @Field(() => IssueLinkType) type!: IssueLinkType;
  @Field(() => Boolean) outward!: boolean;
}

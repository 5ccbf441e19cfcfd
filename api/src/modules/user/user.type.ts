// The User object: public profile fields only (never the password hash).
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('User', { implements: Node, simpleResolvers: true })
export class UserObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => String) name!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

// Object and input types of sign-up, log-in and API tokens.
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';
import { UserObject } from '../user/user.type';

@ObjectType('AuthPayload', { simpleResolvers: true })
export class AuthPayload {
  @Field(() => String) accessToken!: string;
  @Field(() => String) refreshToken!: string;
  @Field(() => UserObject) user!: UserObject;
}

@ObjectType('ApiToken', { implements: Node, simpleResolvers: true })
export class ApiTokenObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) expiresAt!: Date | null;
}

@ObjectType('CreatedApiToken', { description: 'The secret is shown once', simpleResolvers: true })
export class CreatedApiToken {
  @Field(() => String) token!: string;
  @Field(() => ApiTokenObject) apiToken!: ApiTokenObject;
}

@InputType('SignUpInput')
export class SignUpInput {
  @Field(() => String) email!: string;
  @Field(() => String) name!: string;
  @Field(() => String) password!: string;
}

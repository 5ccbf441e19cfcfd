// Invitation object types: the secret appears only in CreatedInvitation, once.
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';
import { UserObject } from '../user/user.type';

@ObjectType('Invitation', { implements: Node, simpleResolvers: true })
export class InvitationObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => Role) role!: Role;
  @Field(() => UserObject) invitedBy!: UserObject;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) expiresAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) acceptedAt!: Date | null;
}

@ObjectType('CreatedInvitation', { description: 'The secret (an invite link) is shown once', simpleResolvers: true })
export class CreatedInvitation {
  @Field(() => InvitationObject) invitation!: InvitationObject;
  @Field(() => String) token!: string;
}

// Organization (the tenant) and Membership object types.
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../graphql/enums';
import { connectionTypes } from '../../graphql/connection';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';
import { UserObject } from '../user/user.type';

@ObjectType('Organization', { implements: Node, simpleResolvers: true })
export class OrganizationObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) slug!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => Role, { description: "The viewer's role in this organization." }) viewerRole!: Role;
}

@ObjectType('Membership', { implements: Node, simpleResolvers: true })
export class MembershipObject implements Node {
  @Field(() => ID, { description: 'One per (organization, user)' }) id!: string;
  @Field(() => UserObject) user!: UserObject;
  @Field(() => Role) role!: Role;
  @Field(() => DateTimeScalar) joinedAt!: Date;
}

export const { Edge: MembershipEdge, Connection: MembershipConnection } = connectionTypes('Membership', MembershipObject);

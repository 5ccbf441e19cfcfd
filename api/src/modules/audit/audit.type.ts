// AuditEntry object type and its connection.
import { Field, ID, ObjectType } from 'type-graphql';
import { connectionTypes } from '../../graphql/connection';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('AuditEntry', { implements: Node, simpleResolvers: true })
export class AuditEntryObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => String, { description: 'e.g. member.invited, member.role_changed, project.archived, workflow.changed' }) action!: string;
  @Field(() => ID, { nullable: true, description: 'The global id of what it acted on' }) targetId!: string | null;
  @Field(() => JSONScalar, { nullable: true }) data!: unknown;
}

export const { Edge: AuditEntryEdge, Connection: AuditEntryConnection } = connectionTypes('AuditEntry', AuditEntryObject);

// Sprint object type.
import { Field, ID, ObjectType } from 'type-graphql';
import { SprintState } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('Sprint', { implements: Node, simpleResolvers: true })
export class SprintObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) goal!: string | null;
  @Field(() => SprintState) state!: SprintState;
  @Field(() => DateTimeScalar, { nullable: true }) startDate!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) endDate!: Date | null;
}

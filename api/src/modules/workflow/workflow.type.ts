// WorkflowState object type.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { StatusCategory } from '../../graphql/enums';
import { Node } from '../node/node.interface';

@ObjectType('WorkflowState', { implements: Node, simpleResolvers: true })
export class WorkflowStateObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => StatusCategory) category!: StatusCategory;
  @Field(() => Int) position!: number;
}

// WorkflowState object type.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { StatusCategory } from '../../graphql/enums';

@ObjectType('WorkflowState', { simpleResolvers: true })
export class WorkflowStateObject {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => StatusCategory) category!: StatusCategory;
  @Field(() => Int) position!: number;
}

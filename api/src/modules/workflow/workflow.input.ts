// Inputs of the workflow administration mutations.
import { Field, InputType, Int } from 'type-graphql';
import { StatusCategory } from '../../graphql/enums';

@InputType('CreateWorkflowStateInput')
export class CreateWorkflowStateInput {
  @Field(() => String) projectKey!: string;
  @Field(() => String) name!: string;
  @Field(() => StatusCategory) category!: StatusCategory;
  @Field(() => Int, { nullable: true, description: '0-based place on the board; default: last' }) position?: number | null;
}

@InputType('UpdateWorkflowStateInput')
export class UpdateWorkflowStateInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => StatusCategory, { nullable: true }) category?: StatusCategory | null;
  @Field(() => Int, { nullable: true, description: '0-based place on the board; the others shift' }) position?: number | null;
}

// Inputs of the project mutations.
import { Field, ID, InputType } from 'type-graphql';

@InputType('CreateProjectInput')
export class CreateProjectInput {
  @Field(() => String) key!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => ID, { nullable: true }) leadId?: string | null;
}

@InputType('UpdateProjectInput')
export class UpdateProjectInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => ID, { nullable: true }) leadId?: string | null;
}

// Inputs of the organization mutations.
import { Field, InputType } from 'type-graphql';

@InputType('CreateOrganizationInput')
export class CreateOrganizationInput {
  @Field(() => String) name!: string;
  @Field(() => String) slug!: string;
}

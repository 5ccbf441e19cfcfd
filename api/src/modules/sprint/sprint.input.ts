// Inputs of the sprint mutations.
import { Field, InputType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

@InputType('CreateSprintInput')
export class CreateSprintInput {
  @Field(() => String) projectKey!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) goal?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) startDate?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) endDate?: Date | null;
}

@InputType('UpdateSprintInput')
export class UpdateSprintInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) goal?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) startDate?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) endDate?: Date | null;
}

// Inputs of the issue queries and mutations, exactly as the contract names them.
import { ArgsType, Field, Float, ID, InputType } from 'type-graphql';
import { IssueOrderField, IssueType, OrderDirection, Priority, StatusCategory } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';
import { ConnectionArgs } from '../../graphql/connection-args';
import { CustomFieldFilter, CustomFieldValueInput } from '../custom-field/custom-field.type';

@InputType('IssueFilter')
export class IssueFilter {
  @Field(() => [ID], { nullable: true }) statusIds?: string[] | null;
  @Field(() => [StatusCategory], { nullable: true }) statusCategories?: StatusCategory[] | null;
  @Field(() => [ID], { nullable: true }) assigneeIds?: string[] | null;
  @Field(() => Boolean, { nullable: true }) unassigned?: boolean | null;
  @Field(() => [ID], { nullable: true }) reporterIds?: string[] | null;
  @Field(() => [IssueType], { nullable: true }) types?: IssueType[] | null;
  @Field(() => [Priority], { nullable: true }) priorities?: Priority[] | null;
  @Field(() => [ID], { nullable: true, description: 'Issues carrying any of these labels' }) labelIds?: string[] | null;
  @Field(() => ID, { nullable: true }) sprintId?: string | null;
  @Field(() => String, { nullable: true }) parentKey?: string | null;
  @Field(() => String, { nullable: true, description: 'Full-text over title and description' }) text?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) createdAfter?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) createdBefore?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) updatedAfter?: Date | null;
  @Field(() => [CustomFieldFilter], { nullable: true, description: 'All must match (at most 50)' }) customFields?: CustomFieldFilter[] | null;
}

@InputType('IssueOrder')
export class IssueOrder {
  @Field(() => IssueOrderField) field!: IssueOrderField;
  @Field(() => OrderDirection, { defaultValue: 'DESC' }) direction!: OrderDirection;
}

@InputType('CreateIssueInput')
export class CreateIssueInput {
  @Field(() => String) projectKey!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => IssueType, { nullable: true, defaultValue: 'TASK' }) type?: IssueType | null;
  @Field(() => Priority, { nullable: true, defaultValue: 'NONE' }) priority?: Priority | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => [ID], { nullable: true }) labelIds?: string[] | null;
  @Field(() => String, { nullable: true }) parentKey?: string | null;
  @Field(() => Float, { nullable: true }) storyPoints?: number | null;
  @Field(() => DateTimeScalar, { nullable: true }) dueDate?: Date | null;
  @Field(() => ID, { nullable: true }) sprintId?: string | null;
  @Field(() => [CustomFieldValueInput], { nullable: true, description: 'Custom field values; every required field of the project needs one (creation) or keeps one (update)' })
  customFields?: CustomFieldValueInput[] | null;
}

@InputType('UpdateIssueInput')
export class UpdateIssueInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => IssueType, { nullable: true }) type?: IssueType | null;
  @Field(() => Priority, { nullable: true }) priority?: Priority | null;
  @Field(() => ID, { nullable: true, description: 'null unassigns' }) assigneeId?: string | null;
  @Field(() => [ID], { nullable: true }) labelIds?: string[] | null;
  @Field(() => String, { nullable: true }) parentKey?: string | null;
  @Field(() => Float, { nullable: true }) storyPoints?: number | null;
  @Field(() => DateTimeScalar, { nullable: true }) dueDate?: Date | null;
  @Field(() => ID, { nullable: true }) sprintId?: string | null;
  @Field(() => [CustomFieldValueInput], { nullable: true, description: 'Custom field values; every required field of the project needs one (creation) or keeps one (update)' })
  customFields?: CustomFieldValueInput[] | null;
}

/** The arguments of every issue list (Query.issues and Project.issues). */
@ArgsType()
export class IssueListArgs extends ConnectionArgs {
  @Field(() => IssueFilter, { nullable: true }) filter?: IssueFilter | null;
  @Field(() => IssueOrder, { nullable: true }) orderBy?: IssueOrder | null;
}

// Custom field mutations and the fields that show them (Project.customFields,
// Issue.customFields), each read through a per-request DataLoader.
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CustomField, Issue, Project } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { IssueObject } from '../issue/issue.type';
import { ProjectObject } from '../project/project.type';
import { CustomFieldObject, CustomFieldType, CustomFieldValueInput, CustomFieldValueObject } from './custom-field.type';
import { decodeFieldValues } from './custom-field-ids';
import { outputValue } from './custom-field-value';
import * as fields from './custom-field.service';
import { customFieldLoaders } from './custom-field.loaders';

const fieldId = (id: string) => fromGlobalId('CustomField', id, 'id');

@Resolver(() => CustomFieldObject)
export class CustomFieldResolver {
  @FieldResolver(() => ID)
  id(@Root() field: CustomField): string {
    return toGlobalId('CustomField', field.id);
  }

  @FieldResolver(() => [String])
  options(@Root() field: CustomField): string[] {
    return field.options ?? [];
  }

  @Mutation(() => CustomFieldObject, { description: 'ADMIN and up; at most 50 fields per project, 100 options per SELECT field.' })
  async createCustomField(
    @Arg('projectKey', () => String) projectKey: string,
    @Arg('name', () => String) name: string,
    @Arg('type', () => CustomFieldType) type: CustomFieldType,
    @Arg('options', () => [String], { nullable: true }) options: string[] | null,
    @Arg('required', () => Boolean, { nullable: true, defaultValue: false }) required: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<CustomField> {
    const tenant = await ctx.tenant();
    return fields.createCustomField(tenant, { projectKey, name, type, options, required });
  }

  @Mutation(() => CustomFieldObject, { description: 'ADMIN and up. options are matched by position: options[i] renames the i-th option, and values follow.' })
  async updateCustomField(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Arg('options', () => [String], { nullable: true }) options: string[] | null,
    @Ctx() ctx: Context,
  ): Promise<CustomField> {
    const tenant = await ctx.tenant();
    return fields.updateCustomField(tenant, fieldId(id), { name, options });
  }

  @Mutation(() => Boolean, { description: 'ADMIN and up; removes every value of the field.' })
  async deleteCustomField(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return fields.deleteCustomField(tenant, fieldId(id));
  }

  @Mutation(() => IssueObject, { description: 'MEMBER and up; only the named fields change; null clears; a stale expectedVersion is a CONFLICT.' })
  async setIssueFields(
    @Arg('key', () => String) key: string,
    @Arg('values', () => [CustomFieldValueInput]) values: CustomFieldValueInput[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: Context,
  ): Promise<Issue> {
    const tenant = await ctx.tenant();
    return fields.setIssueFields(tenant, key, decodeFieldValues(values, 'values'), expectedVersion);
  }
}

@Resolver(() => ProjectObject)
export class CustomFieldsOfProjectResolver {
  @FieldResolver(() => [CustomFieldObject], { description: 'In creation order' })
  async customFields(@Root() project: Project, @Ctx() ctx: Context): Promise<CustomField[]> {
    return (await ctx.tenant()).loaders(customFieldLoaders).customFieldsByProject.load(project.id);
  }
}

@Resolver(() => IssueObject)
export class CustomFieldsOfIssueResolver {
  @FieldResolver(() => [CustomFieldValueObject], { description: "Every field of the issue's project, in creation order; value null when unset" })
  async customFields(@Root() issue: Issue, @Ctx() ctx: Context): Promise<{ field: CustomField; value: unknown }[]> {
    const { loaders } = await ctx.tenant();
    const [projectFields, values] = await Promise.all([loaders(customFieldLoaders).customFieldsByProject.load(issue.projectId), loaders(customFieldLoaders).customValuesByIssue.load(issue.id)]);
    const byField = new Map(values.map((value) => [value.fieldId, value.value]));
    return projectFields.map((field) => ({ field, value: outputValue(field, byField.get(field.id)) }));
  }
}

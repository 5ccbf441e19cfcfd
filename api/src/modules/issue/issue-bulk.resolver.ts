// Bulk issue mutations: argument decoding, then one service call each.
import { Arg, Ctx, Field, ID, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { Issue } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId } from '../../graphql/global-id';
import { UpdateIssueInput } from './issue.input';
import { IssueObject } from './issue.type';
import { decodeUpdateInput } from './issue.resolver';
import { transitionIssues, updateIssues } from './issue-bulk.service';

@ObjectType('BulkIssueResult')
export class BulkIssueResult {
  @Field(() => [IssueObject], { description: 'The changed issues, in the order their keys were given (duplicates once)' }) issues!: Issue[];
}

@Resolver()
export class IssueBulkResolver {
  @Mutation(() => BulkIssueResult, { description: 'MEMBER and up; at most 100 keys; all or nothing.' })
  async updateIssues(
    @Arg('keys', () => [String]) keys: string[],
    @Arg('input', () => UpdateIssueInput) input: UpdateIssueInput,
    @Ctx() ctx: Context,
  ): Promise<BulkIssueResult> {
    const tenant = await ctx.tenant();
    return { issues: await updateIssues(tenant, keys, decodeUpdateInput(input)) };
  }

  @Mutation(() => BulkIssueResult, { description: 'MEMBER and up; at most 100 keys of the state\'s project; all or nothing.' })
  async transitionIssues(@Arg('keys', () => [String]) keys: string[], @Arg('toStateId', () => ID) toStateId: string, @Ctx() ctx: Context): Promise<BulkIssueResult> {
    const tenant = await ctx.tenant();
    return { issues: await transitionIssues(tenant, keys, fromGlobalId('WorkflowState', toStateId, 'toStateId')) };
  }
}

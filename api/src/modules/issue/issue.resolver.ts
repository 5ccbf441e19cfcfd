// Issue queries and mutations: argument decoding, then one service call each.
import { Arg, Args, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Issue } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, fromGlobalIds } from '../../graphql/global-id';
import type { ConnectionShape } from '../../graphql/pagination';
import { CreateIssueInput, IssueListArgs, UpdateIssueInput } from './issue.input';
import { IssueConnection, IssueObject } from './issue.type';
import { decodeIssueFilter } from './issue-filter-ids';
import { findIssueByKey } from './issue-lookup';
import { compiledIssueByKey, issuePageJoins } from './issue-select-compiler';
import { listIssues } from './issue-list';
import { rankIssue } from './issue-rank.service';
import { transitionIssue } from './issue-transition.service';
import * as issues from './issue.service';
import { unwatchIssue, watchIssue } from './watcher.service';
import { isAppNotFound } from '../../graphql/global-id';
import { pageOf } from '../../graphql/connection-args';
import type { GraphQLResolveInfo } from 'graphql';
import { decodeFieldValues } from '../custom-field/custom-field-ids';
import { projectLoaders } from '../project/project.loaders';
import { userLoaders } from '../user/user.loaders';
import { workflowLoaders } from '../workflow/workflow.loaders';

const optionalId = (type: 'User' | 'Sprint', id: string | null | undefined, field: string) => (id ? fromGlobalId(type, id, field) : id);

/** UpdateIssueInput with its global ids decoded (shared with updateIssues). */
export function decodeUpdateInput(input: UpdateIssueInput): issues.UpdateIssueCommand {
  return {
    ...input,
    assigneeId: optionalId('User', input.assigneeId, 'assigneeId'),
    sprintId: optionalId('Sprint', input.sprintId, 'sprintId'),
    labelIds: input.labelIds ? fromGlobalIds('Label', input.labelIds, 'labelIds') : input.labelIds,
    customFields: input.customFields ? decodeFieldValues(input.customFields, 'customFields') : input.customFields,
  };
}

@Resolver(() => IssueObject)
export class IssueResolver {
  @Query(() => IssueObject, { nullable: true })
  async issue(@Arg('key', () => String) key: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Issue | null> {
    const tenant = await ctx.tenant();
    if (ctx.services.config.compiledReads) return compiledIssueByKey(tenant, key, info);
    // Not found is an answer (null), not a failure: caught inside the read, so the request's
    // shared transaction never sees an error and the rest of the document still runs.
    const issue = await tenant.db.read((tx) => findIssueByKey(tx, tenant.orgId, key).catch((error: unknown) => (isAppNotFound(error) ? null : Promise.reject(error))));
    // The project came with the issue; `key` and `project` need not fetch it again.
    if (issue) tenant.loaders(projectLoaders).project.prime(issue.projectId, issue.project);
    return issue;
  }

  @Query(() => IssueConnection)
  async issues(
    @Args(() => IssueListArgs) args: IssueListArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Issue>> {
    const tenant = await ctx.tenant();
    const [filter, page] = [decodeIssueFilter(args.filter), pageOf(args, info)];
    // The page's relations (status, assignee, project for the key...) joined into its statement.
    const joins = ctx.services.config.compiledReads ? issuePageJoins(tenant, info) : undefined;
    return listIssues(tenant.db, {}, filter, args.orderBy, page, undefined, joins);
  }

  @Mutation(() => IssueObject, { description: 'MEMBER and up; VIEWER is FORBIDDEN.' })
  async createIssue(@Arg('input', () => CreateIssueInput) input: CreateIssueInput, @Ctx() ctx: Context): Promise<Issue> {
    const tenant = await ctx.tenant();
    const created = await issues.createIssueWithRelations(tenant, {
      ...input,
      assigneeId: optionalId('User', input.assigneeId, 'assigneeId'),
      sprintId: optionalId('Sprint', input.sprintId, 'sprintId'),
      labelIds: input.labelIds ? fromGlobalIds('Label', input.labelIds, 'labelIds') : input.labelIds,
      customFields: input.customFields ? decodeFieldValues(input.customFields, 'customFields') : input.customFields,
    });
    // The rows the write locked or read (project, initial state, assignee) answer the
    // response's key, status and assignee: nothing is read again.
    const { issue } = created;
    tenant.loaders(projectLoaders).project.prime(issue.projectId, created.project);
    tenant.loaders(workflowLoaders).state.prime(issue.statusId, created.status);
    if (issue.assigneeId) tenant.loaders(userLoaders).user.prime(issue.assigneeId, created.assignee);
    return issue;
  }

  @Mutation(() => IssueObject, { description: 'A stale expectedVersion is a CONFLICT.' })
  async updateIssue(
    @Arg('key', () => String) key: string,
    @Arg('input', () => UpdateIssueInput) input: UpdateIssueInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: Context,
  ): Promise<Issue> {
    const tenant = await ctx.tenant();
    return issues.updateIssue(tenant, key, decodeUpdateInput(input), expectedVersion);
  }

  @Mutation(() => IssueObject, { description: 'Not an allowed transition is BAD_USER_INPUT.' })
  async transitionIssue(
    @Arg('key', () => String) key: string,
    @Arg('toStateId', () => ID) toStateId: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: Context,
  ): Promise<Issue> {
    const tenant = await ctx.tenant();
    return transitionIssue(tenant, key, fromGlobalId('WorkflowState', toStateId, 'toStateId'), expectedVersion);
  }

  @Mutation(() => IssueObject)
  async rankIssue(
    @Arg('key', () => String) key: string,
    @Arg('afterKey', () => String, { nullable: true }) afterKey: string | null,
    @Arg('beforeKey', () => String, { nullable: true }) beforeKey: string | null,
    @Ctx() ctx: Context,
  ): Promise<Issue> {
    const tenant = await ctx.tenant();
    return rankIssue(tenant, key, afterKey, beforeKey);
  }

  @Mutation(() => Boolean)
  async deleteIssue(@Arg('key', () => String) key: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return issues.deleteIssue(tenant, key);
  }

  @Mutation(() => IssueObject)
  async watchIssue(@Arg('key', () => String) key: string, @Ctx() ctx: Context): Promise<Issue> {
    const tenant = await ctx.tenant();
    return watchIssue(tenant, key);
  }

  @Mutation(() => IssueObject)
  async unwatchIssue(@Arg('key', () => String) key: string, @Ctx() ctx: Context): Promise<Issue> {
    const tenant = await ctx.tenant();
    return unwatchIssue(tenant, key);
  }
}

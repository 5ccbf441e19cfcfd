// Project queries, mutations and relation fields.
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Issue, Label, Project, Sprint, WorkflowState } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import type { ConnectionShape } from '../../graphql/pagination';
import { IssueListArgs } from '../issue/issue.input';
import { IssueConnection } from '../issue/issue.type';
import { listIssues } from '../issue/issue-list';
import { decodeIssueFilter } from '../issue/issue-filter-ids';
import { compiledProjectBoard, issuePageJoins, takeCompiledPage } from '../issue/issue-select-compiler';
import { LabelObject } from '../label/label.type';
import { SprintObject } from '../sprint/sprint.type';
import { UserObject } from '../user/user.type';
import { WorkflowStateObject } from '../workflow/workflow.type';
import { CreateProjectInput, UpdateProjectInput } from './project.input';
import * as projects from './project.service';
import { ProjectConnection, ProjectObject } from './project.type';
import { ConnectionArgs, pageOf } from '../../graphql/connection-args';
import type { GraphQLResolveInfo } from 'graphql';
import { issueLoaders } from '../issue/issue.loaders';
import { labelLoaders } from '../label/label.loaders';
import { projectLoaders } from './project.loaders';
import { sprintLoaders } from '../sprint/sprint.loaders';
import { userLoaders, type PublicUser } from '../user/user.loaders';
import { workflowLoaders } from '../workflow/workflow.loaders';

const leadIdOf = (leadId: string | null | undefined) => (leadId ? fromGlobalId('User', leadId, 'leadId') : leadId);

@Resolver(() => ProjectObject)
export class ProjectResolver {
  @Query(() => ProjectConnection)
  async projects(
    @Arg('includeArchived', () => Boolean, { nullable: true, defaultValue: false }) includeArchived: boolean,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Project>> {
    return projects.listProjects((await ctx.tenant()).db, includeArchived ?? false, pageOf(page, info));
  }

  @Query(() => ProjectObject, { nullable: true })
  async project(@Arg('key', () => String) key: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Project | null> {
    const tenant = await ctx.tenant();
    // The board (the project with its page of issues) in one statement, when the selection allows.
    const compiled = ctx.services.config.compiledReads ? await compiledProjectBoard(tenant, key, info) : null;
    if (compiled) return compiled.found;
    const project = await projects.getProject(tenant.db, key);
    // Issues on this project resolve their key through the project loader: no second fetch.
    if (project) tenant.loaders(projectLoaders).project.prime(project.id, project);
    return project;
  }

  @Mutation(() => ProjectObject, { description: 'ADMIN or OWNER; gets a default workflow.' })
  async createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @Ctx() ctx: Context): Promise<Project> {
    const tenant = await ctx.tenant();
    return projects.createProject(tenant, { ...input, leadId: leadIdOf(input.leadId) });
  }

  @Mutation(() => ProjectObject)
  async updateProject(@Arg('key', () => String) key: string, @Arg('input', () => UpdateProjectInput) input: UpdateProjectInput, @Ctx() ctx: Context): Promise<Project> {
    const tenant = await ctx.tenant();
    return projects.updateProject(tenant, key, { ...input, leadId: leadIdOf(input.leadId) });
  }

  @Mutation(() => ProjectObject)
  async archiveProject(@Arg('key', () => String) key: string, @Ctx() ctx: Context): Promise<Project> {
    const tenant = await ctx.tenant();
    return projects.archiveProject(tenant, key);
  }

  @Mutation(() => ProjectObject, { description: 'ADMIN or OWNER; the project becomes writable and listed again.' })
  async unarchiveProject(@Arg('key', () => String) key: string, @Ctx() ctx: Context): Promise<Project> {
    const tenant = await ctx.tenant();
    return projects.unarchiveProject(tenant, key);
  }

  @Mutation(() => Boolean, { description: 'OWNER only; confirmKey must equal key. Removes the project and everything in it.' })
  async deleteProject(@Arg('key', () => String) key: string, @Arg('confirmKey', () => String) confirmKey: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return projects.deleteProject(tenant, key, confirmKey);
  }

  @FieldResolver(() => ID)
  id(@Root() project: Project): string {
    return toGlobalId('Project', project.id);
  }

  @FieldResolver(() => UserObject, { nullable: true })
  async lead(@Root() project: Project, @Ctx() ctx: Context): Promise<PublicUser | null> {
    return project.leadId ? (await ctx.tenant()).loaders(userLoaders).user.load(project.leadId) : null;
  }

  @FieldResolver(() => [WorkflowStateObject], { description: 'Ordered by position' })
  async workflow(@Root() project: Project, @Ctx() ctx: Context): Promise<WorkflowState[]> {
    return (await ctx.tenant()).loaders(workflowLoaders).statesByProject.load(project.id);
  }

  @FieldResolver(() => [LabelObject])
  async labels(@Root() project: Project, @Ctx() ctx: Context): Promise<Label[]> {
    return (await ctx.tenant()).loaders(labelLoaders).labelsByProject.load(project.id);
  }

  @FieldResolver(() => [SprintObject])
  async sprints(@Root() project: Project, @Ctx() ctx: Context): Promise<Sprint[]> {
    return (await ctx.tenant()).loaders(sprintLoaders).sprintsByProject.load(project.id);
  }

  @FieldResolver(() => IssueConnection)
  async issues(
    @Root() project: Project,
    @Args(() => IssueListArgs) args: IssueListArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Issue>> {
    const tenant = await ctx.tenant();
    const [filter, page] = [decodeIssueFilter(args.filter), pageOf(args, info)];
    const compiled = takeCompiledPage(tenant, project, info, page, filter, args.orderBy);
    if (compiled) return compiled;
    const joins = ctx.services.config.compiledReads ? issuePageJoins(tenant, info) : undefined;
    return listIssues(tenant.db, { projectId: project.id }, filter, args.orderBy, page, tenant.loaders(issueLoaders).issuePages, joins);
  }
}

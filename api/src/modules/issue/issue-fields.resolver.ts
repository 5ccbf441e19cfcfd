// Issue relation fields, each through a per-request DataLoader (no N+1).
import { Args, Ctx, FieldResolver, ID, Info, Resolver, Root } from 'type-graphql';
import type { Comment, Issue, IssueEvent, Label, Project, Sprint, WorkflowState } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { toGlobalId } from '../../graphql/global-id';
import type { ConnectionShape } from '../../graphql/pagination';
import { CommentConnection } from '../comment/comment.type';
import { listComments } from '../comment/comment.service';
import { IssueEventConnection } from '../history/event.type';
import { listHistory } from '../history/history.service';
import { LabelObject } from '../label/label.type';
import { IssueLinkObject } from '../link/link.type';
import { viewFrom, type LinkView } from '../link/link.service';
import { ProjectObject } from '../project/project.type';
import { SprintObject } from '../sprint/sprint.type';
import { UserObject } from '../user/user.type';
import { WorkflowStateObject } from '../workflow/workflow.type';
import { formatIssueKey } from './issue-key';
import { IssueObject } from './issue.type';
import { ConnectionArgs, pageOf } from '../../graphql/connection-args';
import type { GraphQLResolveInfo } from 'graphql';
import { commentLoaders } from '../comment/comment.loaders';
import { historyLoaders } from '../history/history.loaders';
import { issueLoaders } from './issue.loaders';
import { joinedOr, joinedRelations } from './joined-relations';
import { labelLoaders } from '../label/label.loaders';
import { linkLoaders } from '../link/link.loaders';
import { projectLoaders } from '../project/project.loaders';
import { sprintLoaders } from '../sprint/sprint.loaders';
import { userLoaders, type PublicUser } from '../user/user.loaders';
import { workflowLoaders } from '../workflow/workflow.loaders';

@Resolver(() => IssueObject)
export class IssueFieldsResolver {
  @FieldResolver(() => ID)
  id(@Root() issue: Issue): string {
    return toGlobalId('Issue', issue.id);
  }

  // The relation fields answer at once what a compiled statement joined (joinedRelations),
  // and load the rest: a board page has a couple of hundred of them.

  @FieldResolver(() => String, { description: '"<project key>-<number>", e.g. "WEB-42"' })
  key(@Root() issue: Issue, @Ctx() ctx: Context): string | Promise<string> {
    const project = this.project(issue, ctx);
    return project instanceof Promise ? project.then((found) => formatIssueKey(found.key, issue.number)) : formatIssueKey(project.key, issue.number);
  }

  @FieldResolver(() => ProjectObject)
  project(@Root() issue: Issue, @Ctx() ctx: Context): Project | Promise<Project> {
    return joinedOr(joinedRelations(issue)?.project, ctx, async ({ loaders }) => (await loaders(projectLoaders).project.load(issue.projectId))!);
  }

  @FieldResolver(() => WorkflowStateObject)
  status(@Root() issue: Issue, @Ctx() ctx: Context): WorkflowState | Promise<WorkflowState> {
    return joinedOr(joinedRelations(issue)?.status, ctx, async ({ loaders }) => (await loaders(workflowLoaders).state.load(issue.statusId))!);
  }

  @FieldResolver(() => UserObject, { nullable: true })
  assignee(@Root() issue: Issue, @Ctx() ctx: Context): PublicUser | null | Promise<PublicUser | null> {
    const id = issue.assigneeId;
    if (!id) return null;
    return joinedOr(joinedRelations(issue)?.assignee, ctx, ({ loaders }) => loaders(userLoaders).user.load(id));
  }

  @FieldResolver(() => UserObject)
  reporter(@Root() issue: Issue, @Ctx() ctx: Context): PublicUser | Promise<PublicUser> {
    return joinedOr(joinedRelations(issue)?.reporter, ctx, async ({ loaders }) => (await loaders(userLoaders).user.load(issue.reporterId))!);
  }

  @FieldResolver(() => [LabelObject])
  labels(@Root() issue: Issue, @Ctx() ctx: Context): Label[] | Promise<Label[]> {
    return joinedOr(joinedRelations(issue)?.labels, ctx, ({ loaders }) => loaders(labelLoaders).labelsByIssue.load(issue.id));
  }

  @FieldResolver(() => IssueObject, { nullable: true })
  async parent(@Root() issue: Issue, @Ctx() ctx: Context): Promise<Issue | null> {
    return issue.parentId ? (await ctx.tenant()).loaders(issueLoaders).issue.load(issue.parentId) : null;
  }

  @FieldResolver(() => [IssueObject])
  async children(@Root() issue: Issue, @Ctx() ctx: Context): Promise<Issue[]> {
    return (await ctx.tenant()).loaders(issueLoaders).childrenByIssue.load(issue.id);
  }

  @FieldResolver(() => SprintObject, { nullable: true })
  async sprint(@Root() issue: Issue, @Ctx() ctx: Context): Promise<Sprint | null> {
    return issue.sprintId ? (await ctx.tenant()).loaders(sprintLoaders).sprint.load(issue.sprintId) : null;
  }

  @FieldResolver(() => [IssueLinkObject])
  async links(@Root() issue: Issue, @Ctx() ctx: Context): Promise<LinkView[]> {
    const links = await (await ctx.tenant()).loaders(linkLoaders).linksByIssue.load(issue.id);
    return links.map((link) => viewFrom(link, issue.id));
  }

  @FieldResolver(() => [UserObject])
  async watchers(@Root() issue: Issue, @Ctx() ctx: Context): Promise<PublicUser[]> {
    const { loaders } = await ctx.tenant();
    const watchers = await loaders(issueLoaders).watcherIdsByIssue.load(issue.id);
    const users = await loaders(userLoaders).user.loadMany(watchers.map((w) => w.userId));
    return users.filter((user): user is PublicUser => user !== null && !(user instanceof Error));
  }

  @FieldResolver(() => CommentConnection)
  async comments(
    @Root() issue: Issue,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Comment>> {
    const { db, loaders } = await ctx.tenant();
    return listComments(db, issue.id, pageOf(page, info), loaders(commentLoaders).comments);
  }

  @FieldResolver(() => IssueEventConnection)
  async history(
    @Root() issue: Issue,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<IssueEvent>> {
    const { db, loaders } = await ctx.tenant();
    return listHistory(db, issue.id, pageOf(page, info), loaders(historyLoaders).history);
  }
}

// Builds the executable schema from the resolver classes (code-first with type-graphql).
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { DateTimeScalar } from './scalars';
import { AuthResolver } from '../modules/auth/auth.resolver';
import { CommentResolver } from '../modules/comment/comment.resolver';
import { IssueEventResolver } from '../modules/history/history.resolver';
import { IssueFieldsResolver } from '../modules/issue/issue-fields.resolver';
import { IssueResolver } from '../modules/issue/issue.resolver';
import { LabelResolver } from '../modules/label/label.resolver';
import { IssueLinkResolver } from '../modules/link/link.resolver';
import { NodeResolver } from '../modules/node/node.resolver';
import { OrganizationResolver } from '../modules/organization/organization.resolver';
import { ProjectResolver } from '../modules/project/project.resolver';
import { SprintResolver } from '../modules/sprint/sprint.resolver';
import { UserResolver } from '../modules/user/user.resolver';
import { WorkflowStateResolver } from '../modules/workflow/workflow.resolver';

export const RESOLVERS = [
  AuthResolver,
  UserResolver,
  OrganizationResolver,
  ProjectResolver,
  WorkflowStateResolver,
  LabelResolver,
  SprintResolver,
  IssueResolver,
  IssueFieldsResolver,
  IssueLinkResolver,
  CommentResolver,
  IssueEventResolver,
  NodeResolver,
] as const;

let built: GraphQLSchema | undefined;

export function buildAppSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [...RESOLVERS] as unknown as [Function, ...Function[]],
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
  });
  return built;
}

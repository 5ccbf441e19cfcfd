// Builds the executable schema from the resolver classes (code-first with type-graphql).
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchemaSync, type PubSub } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { AttachmentResolver, IssueAttachmentsResolver } from '../modules/attachment/attachment.resolver';
import { AuditEntryResolver } from '../modules/audit/audit.resolver';
import { AuthResolver } from '../modules/auth/auth.resolver';
import { CommentResolver } from '../modules/comment/comment.resolver';
import { IssueEventResolver } from '../modules/history/history.resolver';
import { IssueFieldsResolver } from '../modules/issue/issue-fields.resolver';
import { IssueResolver } from '../modules/issue/issue.resolver';
import { IssueBulkResolver } from '../modules/issue/issue-bulk.resolver';
import { CustomFieldResolver, CustomFieldsOfIssueResolver, CustomFieldsOfProjectResolver } from '../modules/custom-field/custom-field.resolver';
import { LabelResolver } from '../modules/label/label.resolver';
import { IssueLinkResolver } from '../modules/link/link.resolver';
import { NotificationResolver } from '../modules/notification/notification.resolver';
import { NodeResolver } from '../modules/node/node.resolver';
import { InvitationResolver } from '../modules/organization/invitation.resolver';
import { MembershipResolver } from '../modules/organization/membership.resolver';
import { OrganizationResolver } from '../modules/organization/organization.resolver';
import { ProjectResolver } from '../modules/project/project.resolver';
import { RateLimitResolver } from '../modules/ratelimit/rate-limit.resolver';
import { RealtimeResolver } from '../modules/realtime/realtime.resolver';
import { SprintResolver } from '../modules/sprint/sprint.resolver';
import { UserResolver } from '../modules/user/user.resolver';
import { WebhookDeliveryResolver, WebhookResolver } from '../modules/webhook/webhook.resolver';
import { WorkflowStateResolver } from '../modules/workflow/workflow.resolver';

export const RESOLVERS = [
  AuditEntryResolver,
  AuthResolver,
  UserResolver,
  OrganizationResolver,
  MembershipResolver,
  InvitationResolver,
  ProjectResolver,
  WorkflowStateResolver,
  LabelResolver,
  SprintResolver,
  IssueResolver,
  IssueBulkResolver,
  CustomFieldResolver,
  CustomFieldsOfProjectResolver,
  CustomFieldsOfIssueResolver,
  IssueFieldsResolver,
  IssueLinkResolver,
  CommentResolver,
  AttachmentResolver,
  IssueAttachmentsResolver,
  IssueEventResolver,
  NotificationResolver,
  NodeResolver,
  RealtimeResolver,
  WebhookResolver,
  WebhookDeliveryResolver,
  RateLimitResolver,
] as const;

// Subscriptions bring their own `subscribe` (fan-out between instances goes through
// PostgreSQL, never through process memory), but type-graphql insists on a pubSub.
const NO_PUBSUB: PubSub = {
  publish() {
    throw new Error('No in-memory pub/sub: subscriptions read from PostgreSQL');
  },
  subscribe() {
    throw new Error('No in-memory pub/sub: subscriptions read from PostgreSQL');
  },
};

let built: GraphQLSchema | undefined;

export function buildAppSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [...RESOLVERS] as unknown as [Function, ...Function[]],
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    pubSub: NO_PUBSUB,
  });
  return built;
}

// Subscription.issueEvents. The WebSocket connection lends the hub and its send-buffer rules
// through the context (RealtimeContext); over HTTP there is no connection, so it refuses.
import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import type { IssueEvent } from '../../generated/prisma/client';
import { AppError } from '../../errors/app-error';
import type { Context } from '../../graphql/context';
import { IssueEventObject } from '../history/event.type';
import type { EventHub, SubscriberLink } from './event-hub';
import type { MembershipCheck } from './membership';
import type { NotificationHub } from './notification-hub';

export interface RealtimeScope {
  readonly hub: EventHub;
  readonly notifications: NotificationHub;
  readonly link: SubscriberLink;
  /** The socket's membership, checked before every batch of events; undefined without x-org-id. */
  readonly membership: MembershipCheck | undefined;
  /** The membership is gone (FORBIDDEN) or could not be checked: the connection closes. */
  onAccessLost(error: unknown): void;
}

/** The context of an operation that arrived over graphql-ws. */
export type RealtimeContext = Context & { readonly realtime?: RealtimeScope };

interface IssueEventsArgs {
  readonly projectKey: string;
  readonly after?: string | null;
}

@Resolver()
export class RealtimeResolver {
  @Subscription(() => IssueEventObject, {
    description:
      'Every change in the project, from any instance, in commit order, each once. after: the id of the last IssueEvent received; ' +
      'the events after it are replayed first, then live ones follow with no gap and no duplicate.',
    subscribe: async ({ args, context }) => {
      const ctx = context as RealtimeContext;
      if (!ctx.realtime) throw new AppError('BAD_USER_INPUT', 'Subscriptions run over graphql-ws on /graphql, not over HTTP');
      const { projectKey, after } = args as IssueEventsArgs;
      return ctx.realtime.hub.subscribe(await ctx.tenant(), projectKey, after, ctx.realtime.link);
    },
  })
  issueEvents(
    @Root() event: IssueEvent,
    @Arg('projectKey', () => String) _projectKey: string,
    @Arg('after', () => String, { nullable: true }) _after?: string | null,
  ): IssueEvent {
    return event;
  }
}

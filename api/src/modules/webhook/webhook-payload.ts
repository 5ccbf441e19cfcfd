// The JSON body a receiver gets for one IssueEvent. Built from the event row at send time;
// the same event always yields the same body, so retries and redeliveries are identical.
import type { IssueEvent } from '../../generated/prisma/client';
import { toGlobalId } from '../../graphql/global-id';

export interface EventSubject {
  readonly projectKey: string;
  readonly issueNumber: number;
}

export function webhookBody(event: IssueEvent, subject: EventSubject): string {
  return JSON.stringify({
    id: toGlobalId('IssueEvent', event.id),
    kind: event.kind,
    field: event.field,
    from: event.from,
    to: event.to,
    at: event.at.toISOString(),
    organizationId: toGlobalId('Organization', event.orgId),
    project: { id: toGlobalId('Project', event.projectId), key: subject.projectKey },
    issue: { id: toGlobalId('Issue', event.issueId), key: `${subject.projectKey}-${subject.issueNumber}` },
    actor: { id: toGlobalId('User', event.actorId) },
  });
}

// The kinds of IssueEvent rows; webhooks subscribe to these names.
export const EVENT_KINDS = [
  'CREATED',
  'UPDATED',
  'TRANSITIONED',
  'RANKED',
  'DELETED',
  'COMMENTED',
  'COMMENT_EDITED',
  'COMMENT_DELETED',
  'LINKED',
  'UNLINKED',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

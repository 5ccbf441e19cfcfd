// One history event as a change describes it, before recordEvents writes it.
import type { EventKind } from './event-kind';

export interface EventDraft {
  readonly issueId: string;
  readonly projectId: string;
  readonly kind: EventKind;
  readonly field?: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

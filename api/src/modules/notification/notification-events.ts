// Which notifications a batch of history events makes. Every writer records events through
// recordEvents, so bulk changes and workflow edits notify exactly like single ones.
import type { EventDraft } from '../history/event-draft';
import type { Tx } from '../../db/tx';
import { mentionDrafts, watcherDrafts, type NotificationDraft } from './notification.service';

function userRowId(ref: unknown): string | null {
  if (typeof ref !== 'string') return null;
  const text = Buffer.from(ref, 'base64url').toString('utf8');
  return text.startsWith('User:') ? text.slice('User:'.length) : null;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Assignments and new mentions first (they win over what watchers get), then watchers. */
export async function notificationsOfEvents(tx: Tx, orgId: string, drafts: readonly EventDraft[]): Promise<NotificationDraft[]> {
  const direct: NotificationDraft[] = [];
  const watched = { COMMENTED: [] as string[], TRANSITIONED: [] as string[] };
  for (const draft of drafts) {
    if (draft.kind === 'UPDATED' && draft.field === 'assignee') {
      const userId = userRowId(draft.to);
      if (userId) direct.push({ userId, issueId: draft.issueId, kind: 'ASSIGNED' });
    } else if (draft.kind === 'UPDATED' && draft.field === 'description') {
      direct.push(...mentionDrafts(draft.issueId, text(draft.to), text(draft.from)));
    } else if (draft.kind === 'COMMENTED' || draft.kind === 'TRANSITIONED') {
      watched[draft.kind].push(draft.issueId);
    }
  }
  return [...direct, ...(await watcherDrafts(tx, orgId, watched.COMMENTED, 'COMMENTED')), ...(await watcherDrafts(tx, orgId, watched.TRANSITIONED, 'TRANSITIONED'))];
}

// Mentions are written <@User.id> in a comment or a description. Parsing is pure: which of the
// ids are members is decided by one query where they are used, so a made-up id, another tenant's
// user and a non-member all count as no mention (the answer is the same: no existence oracle).
import { UUID } from '../../graphql/global-id';

/** At most this many distinct users are mentioned by one text; the rest are ignored. */
export const MENTIONS_PER_TEXT = 20;

const MENTION = /<@([A-Za-z0-9_-]{1,100})>/g;

/** The distinct user row ids a text mentions, in order of first mention, at most MENTIONS_PER_TEXT. */
export function mentionedUserIds(text: string | null | undefined): string[] {
  if (!text) return [];
  const ids = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const decoded = Buffer.from(match[1]!, 'base64url').toString('utf8');
    if (!decoded.startsWith('User:')) continue;
    const rowId = decoded.slice('User:'.length);
    if (!UUID.test(rowId)) continue;
    ids.add(rowId);
    if (ids.size >= MENTIONS_PER_TEXT) break;
  }
  return [...ids];
}

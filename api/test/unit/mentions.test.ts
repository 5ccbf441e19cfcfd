// Parsing <@User.id> mentions: only well-formed User ids count, each once, at most 20 per text.
import { randomUUID } from 'node:crypto';
import { toGlobalId } from '../../src/graphql/global-id';
import { MENTIONS_PER_TEXT, mentionedUserIds } from '../../src/modules/notification/mentions';

test('distinct User ids in order of first mention; other types, junk and bare ids are ignored', () => {
  const [a, b] = [randomUUID(), randomUUID()];
  const text = `<@${toGlobalId('User', b)}> hi <@${toGlobalId('User', a)}> <@${toGlobalId('User', b)}> <@${toGlobalId('Issue', randomUUID())}> <@!!> <@> ${toGlobalId('User', randomUUID())} <@${Buffer.from('User:not-a-uuid').toString('base64url')}>`;
  expect(mentionedUserIds(text)).toEqual([b, a]);
  expect(mentionedUserIds(null)).toEqual([]);
  expect(mentionedUserIds('')).toEqual([]);
});

test(`at most ${MENTIONS_PER_TEXT} users per text, however long it is`, () => {
  const ids = Array.from({ length: 500 }, () => randomUUID());
  const text = ids.map((id) => `<@${toGlobalId('User', id)}>`).join(' ');
  expect(mentionedUserIds(text)).toEqual(ids.slice(0, MENTIONS_PER_TEXT));
});

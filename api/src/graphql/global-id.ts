// Opaque, typed ids: base64url("<Type>:<row id>"). A well-formed id of the wrong type or of
// another tenant is simply not found; a malformed one is bad input.
import { AppError, badInput, notFound } from '../errors/app-error';
import { openRowId, sealRowId } from './sealed-row-id';

export type NodeTypeName =
  | 'User'
  | 'Organization'
  | 'Project'
  | 'WorkflowState'
  | 'Label'
  | 'Sprint'
  | 'Issue'
  | 'IssueLink'
  | 'Comment'
  | 'IssueEvent'
  | 'ApiToken'
  | 'Invitation'
  | 'Webhook'
  | 'WebhookDelivery'
  | 'AuditEntry'
  | 'Membership'
  | 'Attachment'
  | 'CustomField'
  | 'Notification';

/** A row id as PostgreSQL prints a uuid. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Entities whose row id is a bigint rather than a uuid. */
const BIGINT_TYPES: ReadonlySet<NodeTypeName> = new Set(['IssueEvent', 'WebhookDelivery']);
/** Entities keyed by two uuids, "<org>:<user>": a membership is one per organization and user. */
const UUID_PAIR_TYPES: ReadonlySet<NodeTypeName> = new Set(['Membership']);
const UUID_PAIR = new RegExp(`^${UUID.source.slice(1, -1)}:${UUID.source.slice(1, -1)}$`);

export function toGlobalId(type: NodeTypeName, rowId: string | bigint): string {
  // Sequence-numbered rows are sealed (sealed-row-id.ts): their numbers are everyone's volume.
  // (Anything else under such a type is left as it is, and refused when it comes back.)
  const shown = BIGINT_TYPES.has(type) && /^[1-9][0-9]{0,18}$/.test(String(rowId)) ? sealRowId(type, rowId) : rowId;
  return Buffer.from(`${type}:${shown}`).toString('base64url');
}

export interface DecodedId {
  readonly type: string;
  readonly rowId: string;
}

/** Decodes any id; throws BAD_USER_INPUT when it is not one of ours at all. */
export function decodeGlobalId(globalId: string, field: string): DecodedId {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const colon = text.indexOf(':');
  const type = text.slice(0, colon) as NodeTypeName;
  const rowId = text.slice(colon + 1);
  if (colon > 0 && BIGINT_TYPES.has(type)) {
    const opened = openRowId(type, rowId);
    if (opened === null) throw badInput(field, `${field} is not a valid id`);
    return { type, rowId: opened.toString() };
  }
  const pattern = UUID_PAIR_TYPES.has(type) ? UUID_PAIR : UUID;
  if (!(colon > 0 && pattern.test(rowId))) throw badInput(field, `${field} is not a valid id`);
  return { type, rowId };
}

/** The row id behind an id that must name a `type`; another type is not found. */
export function fromGlobalId(type: NodeTypeName, globalId: string, field: string, entity: string = type): string {
  const decoded = decodeGlobalId(globalId, field);
  if (decoded.type !== type) throw notFound(entity, field);
  return decoded.rowId;
}

export function fromGlobalIds(type: NodeTypeName, globalIds: readonly string[], field: string): string[] {
  return globalIds.map((id) => fromGlobalId(type, id, field));
}

export function isAppNotFound(error: unknown): boolean {
  return error instanceof AppError && error.code === 'NOT_FOUND';
}

// Opaque, typed ids: base64url("<Type>:<row id>"). A well-formed id of the wrong type or of
// another tenant is simply not found; a malformed one is bad input.
import { AppError, badInput, notFound } from '../errors/app-error';

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
  | 'CustomField';

/** A row id as PostgreSQL prints a uuid. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BIGINT = /^[1-9][0-9]{0,18}$/;
/** Entities whose row id is a bigint rather than a uuid. */
const BIGINT_TYPES: ReadonlySet<NodeTypeName> = new Set(['IssueEvent', 'WebhookDelivery']);

export function toGlobalId(type: NodeTypeName, rowId: string | bigint): string {
  return Buffer.from(`${type}:${rowId}`).toString('base64url');
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
  const valid = colon > 0 && (BIGINT_TYPES.has(type) ? BIGINT.test(rowId) : UUID.test(rowId));
  if (!valid) throw badInput(field, `${field} is not a valid id`);
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

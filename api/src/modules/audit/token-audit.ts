// API tokens in the audit log. A token acts in each of its owner's organizations, so each
// one's admins see it made and revoked: one entry per organization, in the token's transaction.
import type { ApiTokenAudit } from '../../auth/api-token.service';
import { toGlobalId } from '../../graphql/global-id';
import { recordAuditInMemberOrgs } from './audit.service';

export const auditApiTokenChange: ApiTokenAudit = (tx, userId, change) =>
  recordAuditInMemberOrgs(tx, userId, { action: change.action, targetId: toGlobalId('ApiToken', change.tokenId), data: change.data });

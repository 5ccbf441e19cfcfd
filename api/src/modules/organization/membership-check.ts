// A user may be referenced by tenant data (assignee, lead, watcher) only while they are a
// member of that organization; anyone else is "not found", whether or not they exist.
import { notFound } from '../../errors/app-error';
import type { Tx } from '../../tenancy/tx';

export async function assertMember(tx: Tx, orgId: string, userId: string, field: string): Promise<void> {
  const membership = await tx.membership.findUnique({ where: { orgId_userId: { orgId, userId } }, select: { userId: true } });
  if (!membership) throw notFound('User', field);
}

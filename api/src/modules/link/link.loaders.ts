// Links touching each issue, batched per request.
import type { IssueLink } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { groupLoader } from '../../graphql/batch-loader';

export const linkLoaders = (db: TenantDb) => ({
  /** Both directions; the `key` is the issue asked about. */
  linksByIssue: groupLoader<string, IssueLink & { key: string }>(
    db,
    async (tx, keys) => {
      const links = await tx.issueLink.findMany({
        where: { OR: [{ fromIssueId: { in: [...keys] } }, { toIssueId: { in: [...keys] } }], from: { deletedAt: null }, to: { deletedAt: null } },
        orderBy: { createdAt: 'asc' },
      });
      const wanted = new Set(keys);
      return links.flatMap((link) => [link.fromIssueId, link.toIssueId].filter((id) => wanted.has(id)).map((key) => ({ ...link, key })));
    },
    (l) => l.key,
  ),
});

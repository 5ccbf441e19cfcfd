// Workflow states and the transitions out of them, batched per request.
import type { WorkflowState } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { groupLoader, rowLoader } from '../../graphql/batch-loader';

export const workflowLoaders = (db: TenantDb) => ({
  state: rowLoader<string, WorkflowState>(db, (tx, keys) => tx.workflowState.findMany({ where: { id: { in: [...keys] } } }), (s) => s.id),
  statesByProject: groupLoader<string, WorkflowState>(
    db,
    (tx, keys) => tx.workflowState.findMany({ where: { projectId: { in: [...keys] } }, orderBy: { position: 'asc' } }),
    (s) => s.projectId,
  ),
  transitionTargets: groupLoader<string, WorkflowState & { fromStateId: string }>(
    db,
    async (tx, keys) => {
      const transitions = await tx.workflowTransition.findMany({ where: { fromStateId: { in: [...keys] } }, include: { to: true }, orderBy: { to: { position: 'asc' } } });
      return transitions.map((t) => ({ ...t.to, fromStateId: t.fromStateId }));
    },
    (s) => s.fromStateId,
  ),
});

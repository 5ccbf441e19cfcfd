// Turns the ids in an IssueFilter from global ids into row ids.
import { fromGlobalId, fromGlobalIds } from '../../graphql/global-id';
import type { IssueListFilter } from './issue-list';
import type { IssueFilter } from './issue.input';
import { decodeFieldFilters } from '../custom-field/custom-field-ids';

export function decodeIssueFilter(filter: IssueFilter | null | undefined): IssueListFilter | null {
  if (!filter) return null;
  return {
    ...filter,
    statusIds: filter.statusIds ? fromGlobalIds('WorkflowState', filter.statusIds, 'statusIds') : filter.statusIds,
    assigneeIds: filter.assigneeIds ? fromGlobalIds('User', filter.assigneeIds, 'assigneeIds') : filter.assigneeIds,
    reporterIds: filter.reporterIds ? fromGlobalIds('User', filter.reporterIds, 'reporterIds') : filter.reporterIds,
    labelIds: filter.labelIds ? fromGlobalIds('Label', filter.labelIds, 'labelIds') : filter.labelIds,
    sprintId: filter.sprintId ? fromGlobalId('Sprint', filter.sprintId, 'sprintId') : filter.sprintId,
    customFields: filter.customFields ? decodeFieldFilters(filter.customFields) : filter.customFields,
  };
}

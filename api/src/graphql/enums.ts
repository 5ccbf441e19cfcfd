// The contract's enums, registered once for type-graphql. Prisma's generated enum objects
// are the single source of their values.
import { registerEnumType } from 'type-graphql';
import { IssueLinkType, IssueType, Priority, Role, SprintState, StatusCategory } from '../generated/prisma/enums';

export const OrderDirection = { ASC: 'ASC', DESC: 'DESC' } as const;
export type OrderDirection = (typeof OrderDirection)[keyof typeof OrderDirection];

export const IssueOrderField = {
  CREATED_AT: 'CREATED_AT',
  UPDATED_AT: 'UPDATED_AT',
  PRIORITY: 'PRIORITY',
  RANK: 'RANK',
  DUE_DATE: 'DUE_DATE',
  NUMBER: 'NUMBER',
} as const;
export type IssueOrderField = (typeof IssueOrderField)[keyof typeof IssueOrderField];

registerEnumType(Role, { name: 'Role' });
registerEnumType(IssueType, { name: 'IssueType' });
registerEnumType(Priority, { name: 'Priority' });
registerEnumType(StatusCategory, { name: 'StatusCategory' });
registerEnumType(IssueLinkType, { name: 'IssueLinkType' });
registerEnumType(SprintState, { name: 'SprintState' });
registerEnumType(OrderDirection, { name: 'OrderDirection' });
registerEnumType(IssueOrderField, { name: 'IssueOrderField' });

export { IssueLinkType, IssueType, Priority, Role, SprintState, StatusCategory };

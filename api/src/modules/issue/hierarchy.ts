// Which issue types may parent which: EPIC > STORY/TASK/BUG > SUBTASK. Because a parent is
// always exactly one level up, a cycle can never form.
import type { IssueType } from '../../generated/prisma/enums';
import { badInput } from '../../errors/app-error';

const LEVEL: Readonly<Record<IssueType, number>> = { EPIC: 2, STORY: 1, TASK: 1, BUG: 1, SUBTASK: 0 };

export function canParent(parent: IssueType, child: IssueType): boolean {
  return LEVEL[parent] === LEVEL[child] + 1;
}

export interface HierarchyCheck {
  readonly id?: string;
  readonly type: IssueType;
  readonly parent: { readonly id: string; readonly type: IssueType; readonly projectId: string } | null;
  readonly projectId: string;
  /** Types of the existing children (updates only). */
  readonly childTypes?: readonly IssueType[];
}

export function assertHierarchy(check: HierarchyCheck): void {
  const { type, parent } = check;
  if (parent) {
    if (parent.id === check.id) throw badInput('parentKey', 'An issue cannot be its own parent');
    if (parent.projectId !== check.projectId) throw badInput('parentKey', 'The parent must be in the same project');
    if (!canParent(parent.type, type)) {
      throw badInput('parentKey', `A ${parent.type} cannot parent a ${type} (EPIC parents STORY/TASK/BUG; STORY/TASK/BUG parent SUBTASK)`);
    }
  } else if (type === 'SUBTASK') {
    throw badInput('parentKey', 'A SUBTASK needs a parent STORY, TASK or BUG');
  }
  for (const childType of check.childTypes ?? []) {
    if (!canParent(type, childType)) throw badInput('type', `A ${type} cannot have ${childType} children; move them first`);
  }
}

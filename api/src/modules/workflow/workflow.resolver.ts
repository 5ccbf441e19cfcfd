// WorkflowState fields: its id and the states an issue in it may move to.
import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { WorkflowState } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { toGlobalId } from '../../graphql/global-id';
import { WorkflowStateObject } from './workflow.type';

@Resolver(() => WorkflowStateObject)
export class WorkflowStateResolver {
  @FieldResolver(() => ID)
  id(@Root() state: WorkflowState): string {
    return toGlobalId('WorkflowState', state.id);
  }

  @FieldResolver(() => [WorkflowStateObject], { description: 'The states an issue in this state may move to' })
  async transitionsTo(@Root() state: WorkflowState, @Ctx() ctx: Context): Promise<WorkflowState[]> {
    return (await ctx.tenant()).loaders.transitionTargets.load(state.id);
  }
}

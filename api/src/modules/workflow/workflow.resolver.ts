// WorkflowState fields and the workflow administration mutations (ADMIN and up).
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { WorkflowState } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { CreateWorkflowStateInput, UpdateWorkflowStateInput } from './workflow.input';
import * as workflow from './workflow.service';
import { WorkflowStateObject } from './workflow.type';
import { workflowLoaders } from './workflow.loaders';

const stateId = (id: string, field: string) => fromGlobalId('WorkflowState', id, field);

@Resolver(() => WorkflowStateObject)
export class WorkflowStateResolver {
  @FieldResolver(() => ID)
  id(@Root() state: WorkflowState): string {
    return toGlobalId('WorkflowState', state.id);
  }

  @FieldResolver(() => [WorkflowStateObject], { description: 'The states an issue in this state may move to' })
  async transitionsTo(@Root() state: WorkflowState, @Ctx() ctx: Context): Promise<WorkflowState[]> {
    return (await ctx.tenant()).loaders(workflowLoaders).transitionTargets.load(state.id);
  }

  @Mutation(() => WorkflowStateObject, { description: 'ADMIN or OWNER. The new state has no transitions until setWorkflowTransitions gives it some.' })
  async createWorkflowState(@Arg('input', () => CreateWorkflowStateInput) input: CreateWorkflowStateInput, @Ctx() ctx: Context): Promise<WorkflowState> {
    const tenant = await ctx.tenant();
    return workflow.createWorkflowState(tenant, input);
  }

  @Mutation(() => WorkflowStateObject, { description: 'ADMIN or OWNER: rename, recategorize or move a state.' })
  async updateWorkflowState(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateWorkflowStateInput) input: UpdateWorkflowStateInput, @Ctx() ctx: Context): Promise<WorkflowState> {
    const tenant = await ctx.tenant();
    return workflow.updateWorkflowState(tenant, stateId(id, 'id'), input);
  }

  @Mutation(() => Boolean, { description: "ADMIN or OWNER. The state's issues move to moveIssuesToStateId (with history); a project keeps at least one state." })
  async deleteWorkflowState(@Arg('id', () => ID) id: string, @Arg('moveIssuesToStateId', () => ID) moveTo: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return workflow.deleteWorkflowState(tenant, stateId(id, 'id'), stateId(moveTo, 'moveIssuesToStateId'));
  }

  @Mutation(() => WorkflowStateObject, { description: "ADMIN or OWNER: replaces the state's outgoing transitions." })
  async setWorkflowTransitions(@Arg('fromStateId', () => ID) fromStateId: string, @Arg('toStateIds', () => [ID]) toStateIds: string[], @Ctx() ctx: Context): Promise<WorkflowState> {
    const tenant = await ctx.tenant();
    return workflow.setWorkflowTransitions(tenant, stateId(fromStateId, 'fromStateId'), toStateIds.map((id) => stateId(id, 'toStateIds')));
  }
}

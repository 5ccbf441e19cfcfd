// node(id): fetch any object by its global id, within the caller's organization.
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { decodeGlobalId } from '../../graphql/global-id';
import { Node } from './node.interface';
import { findNode } from './node.service';

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<object | null> {
    const decoded = decodeGlobalId(id, 'id');
    const tenant = await ctx.tenant();
    return findNode(tenant, decoded.type, decoded.rowId);
  }
}

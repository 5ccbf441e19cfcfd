// Label mutation and fields.
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Label } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { toGlobalId } from '../../graphql/global-id';
import { createLabel } from './label.service';
import { LabelObject } from './label.type';

@Resolver(() => LabelObject)
export class LabelResolver {
  @Mutation(() => LabelObject)
  async createLabel(
    @Arg('projectKey', () => String) projectKey: string,
    @Arg('name', () => String) name: string,
    @Arg('color', () => String) color: string,
    @Ctx() ctx: Context,
  ): Promise<Label> {
    const tenant = await ctx.tenant();
    return createLabel(tenant, tenant.db, projectKey, name, color);
  }

  @FieldResolver(() => ID)
  id(@Root() label: Label): string {
    return toGlobalId('Label', label.id);
  }
}

// Label mutation and fields.
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Label } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { createLabel, deleteLabel, updateLabel } from './label.service';
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
    return createLabel(tenant, projectKey, name, color);
  }

  @Mutation(() => LabelObject, { description: 'ADMIN or OWNER.' })
  async updateLabel(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Arg('color', () => String, { nullable: true }) color: string | null,
    @Ctx() ctx: Context,
  ): Promise<Label> {
    const tenant = await ctx.tenant();
    return updateLabel(tenant, fromGlobalId('Label', id, 'id'), { name, color });
  }

  @Mutation(() => Boolean, { description: 'ADMIN or OWNER; the label leaves every issue that carried it, with history.' })
  async deleteLabel(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return deleteLabel(tenant, fromGlobalId('Label', id, 'id'));
  }

  @FieldResolver(() => ID)
  id(@Root() label: Label): string {
    return toGlobalId('Label', label.id);
  }
}

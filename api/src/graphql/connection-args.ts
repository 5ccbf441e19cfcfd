// The paging arguments every connection takes, and reading them as one PageRequest.
import type { GraphQLResolveInfo } from 'graphql';
import { ArgsType, Field, Int } from 'type-graphql';
import { isArgGiven } from './explicit-args';
import { DEFAULT_PAGE_SIZE, pageRequest, type PageRequest } from './pagination';

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => Int, { nullable: true, description: 'Page backward: the last items (before `before`), at most 100' }) last?: number | null;
  @Field(() => String, { nullable: true }) before?: string | null;
}

/**
 * `first` always has a value (its schema default); when the client pages backward it counts
 * only if the client wrote it, so that `last: 5` alone is not read as mixing directions.
 */
export function pageOf(args: ConnectionArgs, info: GraphQLResolveInfo): PageRequest {
  const backward = args.last != null || args.before != null;
  const first = backward && !isArgGiven(info, 'first') ? null : args.first;
  return pageRequest({ first, after: args.after, last: args.last, before: args.before });
}

// The caller's rate-limit budget as the `rateLimit` query shows it.
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

@ObjectType('RateLimit', { simpleResolvers: true, description: 'GitHub-style points: each request costs its query cost (a mutation at least a fixed minimum).' })
export class RateLimitObject {
  @Field(() => Int, { description: 'Points per window of the budget closest to running out (caller or organization).' }) limit!: number;
  @Field(() => Int, { description: 'Points left in this window, after this request.' }) remaining!: number;
  @Field(() => Int, { description: 'What this request cost.' }) cost!: number;
  @Field(() => DateTimeScalar, { description: 'When the window ends and the budget is full again.' }) resetAt!: Date;
}

// Answers a resolver fetched ahead for a field below it (a compiled read answering a whole
// connection), keyed by the field's response path and handed over once. The field resolver
// takes its answer only if the arguments it sees are the ones the answer was fetched for;
// otherwise it resolves as it always does.
import type { GraphQLResolveInfo } from 'graphql';
import { responsePath } from './selection';

export class PrefetchedFields {
  private readonly answers = new Map<string, unknown>();

  put(path: string, answer: unknown): void {
    this.answers.set(path, answer);
  }

  /** The answer fetched for `info`'s field, if any and if `fits` accepts it. */
  take<T>(info: GraphQLResolveInfo, fits: (answer: T) => boolean): T | undefined {
    const path = responsePath(info.path);
    const answer = this.answers.get(path) as T | undefined;
    if (answer === undefined) return undefined;
    this.answers.delete(path);
    return fits(answer) ? answer : undefined;
  }
}

/** One store per request tenant: `tenant.loaders(prefetchedFields)`. */
export const prefetchedFields = (): PrefetchedFields => new PrefetchedFields();

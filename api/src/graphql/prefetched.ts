// Answers a resolver fetched ahead for a field below it (a compiled read answering a whole
// connection), keyed by the parent object it was fetched for and the field's response path,
// and handed over once. Keyed by the parent too, so two operations of one batched HTTP request
// (which share a context) never swap answers. The field resolver takes an answer only if the
// arguments it sees are the ones the answer was fetched for; otherwise it resolves as always.
import type { GraphQLResolveInfo } from 'graphql';
import { responsePath } from './selection';

export class PrefetchedFields {
  private readonly answers = new WeakMap<object, Map<string, unknown>>();

  put(parent: object, path: string, answer: unknown): void {
    let byPath = this.answers.get(parent);
    if (!byPath) this.answers.set(parent, (byPath = new Map()));
    byPath.set(path, answer);
  }

  /** The answer fetched for `info`'s field on `parent`, if any and if `fits` accepts it. */
  take<T>(parent: object, info: GraphQLResolveInfo, fits: (answer: T) => boolean): T | undefined {
    const byPath = this.answers.get(parent);
    const path = responsePath(info.path);
    const answer = byPath?.get(path) as T | undefined;
    if (answer === undefined) return undefined;
    byPath!.delete(path);
    return fits(answer) ? answer : undefined;
  }
}

/** One store per request tenant: `tenant.loaders(prefetchedFields)`. */
export const prefetchedFields = (): PrefetchedFields => new PrefetchedFields();

// The fields that can hold long text, and what they weigh. Most fields are a few bytes; these
// can be tens of kilobytes each (hundreds once JSON escapes them), so they are priced in the
// cost and their bytes are charged to the response budget as they resolve.
import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema, defaultFieldResolver } from 'graphql';
import { COMMENT_MAX } from '../modules/comment/comment.service';
import { DESCRIPTION_MAX } from '../modules/issue/issue-validation';
import { chargeResponseText } from './response-budget';

/** One cost point per this many characters a field may hold. */
export const CHARACTERS_PER_COST_POINT = 4000;

/** Type.field -> the most characters it may hold (the input validation's maximum). */
export const LONG_TEXT_FIELDS: Readonly<Record<string, number>> = {
  'Issue.description': DESCRIPTION_MAX,
  'Comment.body': COMMENT_MAX,
  'Project.description': 10_000,
  // History copies the changed value, so a description change carries one on each side.
  'IssueEvent.from': DESCRIPTION_MAX,
  'IssueEvent.to': DESCRIPTION_MAX,
  'Sprint.goal': 1000,
};

export function longTextWeight(typeName: string, fieldName: string): number {
  const max = LONG_TEXT_FIELDS[`${typeName}.${fieldName}`];
  return max === undefined ? 0 : Math.ceil(max / CHARACTERS_PER_COST_POINT);
}

const CHARGED = Symbol('chargesResponseText');

/**
 * Wraps each long-text field's resolver so that its value is charged to the HTTP request's
 * response budget as it resolves: an over-budget response stops growing at the next long text
 * instead of after the whole result is in memory. Idempotent per schema.
 */
export function chargeLongTextFields(schema: GraphQLSchema): void {
  const marked = schema as GraphQLSchema & { [CHARGED]?: true };
  if (marked[CHARGED]) return;
  marked[CHARGED] = true;
  for (const key of Object.keys(LONG_TEXT_FIELDS)) {
    const [typeName, fieldName] = key.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) throw new Error(`long-text field ${key} is not in the schema`);
    const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context, info) => {
      const value = resolve(source, args, context, info);
      if (value instanceof Promise) return value.then(chargeResponseText);
      return chargeResponseText(value);
    };
  }
}

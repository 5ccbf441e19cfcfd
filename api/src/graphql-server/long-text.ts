// The fields that can hold long text, and what they weigh. Most fields are a few bytes; these
// can be tens of kilobytes each (hundreds once JSON escapes them), so they are priced in the
// cost and their bytes are charged to the response budget as they resolve.
import { defaultFieldResolver, isObjectType, type GraphQLCompositeType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
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

/**
 * What an object of this type weighs for the long text in its row: the loaders read whole rows,
 * so an issue in memory holds its description whether or not the document asks for it. An
 * abstract type (Node) weighs as much as its heaviest member.
 */
export function rowTextWeight(schema: GraphQLSchema, type: GraphQLCompositeType): number {
  let weight = rowWeights.get(type);
  if (weight !== undefined) return weight;
  if (isObjectType(type)) {
    weight = 0;
    for (const name of Object.keys(type.getFields())) weight += longTextWeight(type.name, name);
  } else {
    weight = Math.max(0, ...schema.getPossibleTypes(type).map((member) => rowTextWeight(schema, member)));
  }
  rowWeights.set(type, weight);
  return weight;
}

const rowWeights = new WeakMap<GraphQLCompositeType, number>();

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

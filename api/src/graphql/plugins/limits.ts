// The document limits (depth, aliases, directives, cost from graphql-armor; tokens from the
// graphql-js parser) and hidden field suggestions. Apollo runs them while parsing and validating, so an over-limit document
// is answered with GRAPHQL_VALIDATION_FAILED (HTTP 400) before any resolver or SQL runs.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ParseOptions, ValidationRule } from 'graphql';
import type { GraphqlHardening, GraphqlLimits } from '../../config';

/**
 * The weights of the cost formula, shared with the cost plugin so the cost a response reports
 * is the very number the limit compared. An object field costs 2 plus 1.5 times its selections,
 * a scalar 1, and a `first`/`last` argument multiplies its field.
 */
export const COST_WEIGHTS = { objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true } as const;

export interface LimitProtections {
  readonly plugins: ApolloServerPlugin[];
  readonly validationRules: ValidationRule[];
  readonly parseOptions: ParseOptions;
}

export function limitProtections(limits: GraphqlLimits, hardening: Pick<GraphqlHardening, 'fieldSuggestions'>): LimitProtections {
  // Armor's Apollo wiring reports rejections through the validation context (a 400), where its
  // bare rules would throw (a 500): keep it rather than adding the rules by hand.
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Armor's token check throws from a plugin hook, which Apollo answers with HTTP 500; the
    // parser's own limit is a syntax error, answered with 400.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, ...COST_WEIGHTS },
    blockFieldSuggestion: { enabled: !hardening.fieldSuggestions },
  }).protect();
  return {
    plugins: plugins as ApolloServerPlugin[],
    validationRules: validationRules as ValidationRule[],
    parseOptions: { maxLexicalTokens: limits.maxTokens },
  };
}

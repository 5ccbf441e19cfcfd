// The document limits (depth, aliases, directives from graphql-armor; tokens from the
// graphql-js parser; cost in cost.ts, since it needs the variables) and hidden field suggestions. Apollo runs them while parsing and validating, so an over-limit document
// is answered with GRAPHQL_VALIDATION_FAILED (HTTP 400) before any resolver or SQL runs.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ParseOptions, ValidationRule } from 'graphql';
import type { GraphqlHardening, GraphqlLimits } from '../../config';
import { hideSuggestionsPlugin } from './suggestions';

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
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !hardening.fieldSuggestions },
  }).protect();
  return {
    plugins: [...(plugins as ApolloServerPlugin[]), ...(hardening.fieldSuggestions ? [] : [hideSuggestionsPlugin()])],
    validationRules: validationRules as ValidationRule[],
    parseOptions: { maxLexicalTokens: limits.maxTokens },
  };
}

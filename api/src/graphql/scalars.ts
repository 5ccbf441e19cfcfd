// The contract's custom scalars, under the contract's names.
import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';

export const DateTimeScalar = GraphQLDateTime;
export const JSONScalar = GraphQLJSON;

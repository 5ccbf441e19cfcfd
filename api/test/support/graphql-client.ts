// A minimal GraphQL-over-HTTP client for tests: real fetch, real JSON, headers as a client sends them.
export interface GraphqlResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly data: T | null | undefined;
  readonly errors: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] | undefined;
  readonly headers: Headers;
}

export interface Caller {
  readonly token?: string;
  readonly orgId?: string;
  readonly headers?: Record<string, string>;
}

export class GraphqlClient {
  constructor(readonly url: string) {}

  async request<T = any>(query: string, variables: Record<string, unknown> = {}, caller: Caller = {}): Promise<GraphqlResponse<T>> {
    // A current client: it prefers GraphQL over HTTP's own media type (request errors are 4xx).
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9', ...caller.headers };
    if (caller.token) headers.authorization = `Bearer ${caller.token}`;
    if (caller.orgId) headers['x-org-id'] = caller.orgId;
    const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: T; errors?: GraphqlResponse['errors'] };
    return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
  }

  /** Like request, but fails the test on any GraphQL error. */
  async ok<T = any>(query: string, variables: Record<string, unknown> = {}, caller: Caller = {}): Promise<T> {
    const response = await this.request<T>(query, variables, caller);
    if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    return response.data as T;
  }
}

export function errorCode(response: GraphqlResponse): unknown {
  return response.errors?.[0]?.extensions?.code;
}

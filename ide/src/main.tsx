// The GraphiQL page served on GET /graphql. Everything it needs is bundled by build.ts; the
// server hands over its settings (endpoint, default query, demo headers) as inline JSON.
import './workers';
import 'graphiql/style.css';
import './page.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';

interface IdeSettings {
  readonly endpoint: string;
  readonly query: string;
  /** JSON text for the headers editor; absent unless the server has demo access. */
  readonly headers?: string;
  readonly demoEmail?: string;
}

const settings = JSON.parse(document.getElementById('ide-settings')!.textContent!) as IdeSettings;
const url = new URL(settings.endpoint, location.href);
// Subscriptions go over graphql-ws on the same path; the toolkit passes the headers editor's
// contents as the socket's connectionParams, so auth works the same as over HTTP.
const fetcher = createGraphiQLFetcher({ url: url.href, subscriptionUrl: url.href.replace(/^http/, 'ws') });

function Help() {
  return (
    <p className="ide-help">
      {settings.demoEmail ? <>Headers hold a day-long token for the demo user {settings.demoEmail}. </> : null}
      To get a token, run <code>mutation {'{'} logIn(email: "…", password: "…") {'{'} accessToken {'}'} {'}'}</code> (or{' '}
      <code>createApiToken(name: "…")</code> for a long-lived one), then set the headers{' '}
      <code>Authorization: Bearer &lt;token&gt;</code> and <code>x-org-id</code> (an id from <code>{'{'} organizations {'{'} id name {'}'} {'}'}</code>).
    </p>
  );
}

createRoot(document.getElementById('root')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={settings.query}
    defaultHeaders={settings.headers}
    defaultEditorToolsVisibility={settings.headers ? 'headers' : true}
  >
    <GraphiQL.Logo>Tracker API</GraphiQL.Logo>
    <GraphiQL.Footer>
      <Help />
    </GraphiQL.Footer>
  </GraphiQL>,
);

// boot.js starts GraphiQL for startupgraph's internal/playground package.
//
// It runs from an embedded file rather than an inline <script>, so the page's
// Content-Security-Policy can be script-src 'self'. Its settings come from
// data- attributes on #graphiql, written by the server-side html/template.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint');
  var title = root.getAttribute('data-title');
  var defaultQuery = root.getAttribute('data-default-query');

  // fetcher sends each operation as a plain GraphQL-over-HTTP POST. Headers
  // typed into GraphiQL's headers editor (e.g. {"Authorization": "Bearer …"})
  // arrive in opts.headers and override the defaults below.
  function fetcher(params, opts) {
    var headers = new Headers({
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    });
    var extra = (opts && opts.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers.set(name, String(extra[name]));
    });
    return fetch(endpoint, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(params),
      credentials: 'same-origin',
    }).then(function (res) {
      return res.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (err) {
          return {
            errors: [{ message: 'HTTP ' + res.status + ' ' + res.statusText + ': ' + text }],
          };
        }
      });
    });
  }

  var plugins = [];
  if (window.GraphiQLPluginExplorer && typeof window.GraphiQLPluginExplorer.explorerPlugin === 'function') {
    plugins.push(window.GraphiQLPluginExplorer.explorerPlugin());
  }

  var h = React.createElement;
  ReactDOM.createRoot(root).render(
    h(
      GraphiQL,
      {
        fetcher: fetcher,
        defaultQuery: defaultQuery,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
        plugins: plugins,
      },
      h(GraphiQL.Logo, null, title),
    ),
  );
})();

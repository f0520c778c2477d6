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

  var h = React.createElement;

  // --- the Examples plugin ---------------------------------------------------
  //
  // The server lists the example operations (examples/*.graphql, without
  // their test lines) at the URL in data-examples, in the order to show
  // them: issue #17's questions first, then the others by who asks them.
  // A click puts one into the query editor, and its variables (or nothing)
  // into the Variables tab: in the current tab when that holds nothing of
  // the user's own (empty, the welcome query or an unchanged example),
  // otherwise in a new tab with the current tab's headers (the key).

  var examplesURL = root.getAttribute('data-examples');
  var examples = { list: null, error: null }; // filled in once, shared by every render
  var examplesLoaded = (
    examplesURL
      ? fetch(examplesURL, { credentials: 'same-origin' }).then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status + ' ' + res.statusText);
          return res.json();
        })
      : Promise.resolve({ examples: [] })
  ).then(
    function (body) {
      examples.list = body.examples || [];
    },
    function (err) {
      examples.error = String((err && err.message) || err);
    },
  );

  // isUntouched reports whether query is nothing the user wrote.
  function isUntouched(query) {
    return (
      query.trim() === '' ||
      query === defaultQuery ||
      (examples.list || []).some(function (ex) {
        return ex.operation === query;
      })
    );
  }

  function openExample(editor, ex) {
    function put() {
      editor.queryEditor.setValue(ex.operation);
      if (editor.variableEditor) editor.variableEditor.setValue(ex.variables || '');
    }
    if (!editor.queryEditor) return;
    if (isUntouched(editor.queryEditor.getValue())) {
      put();
      return;
    }
    // A new tab starts without headers; it keeps the key the user pasted.
    // addTab fills the new tab's editors when React applies it; fill them after.
    var headers = editor.headerEditor ? editor.headerEditor.getValue() : '';
    editor.addTab();
    setTimeout(function () {
      put();
      if (editor.headerEditor && headers) editor.headerEditor.setValue(headers);
    }, 0);
  }

  function ExamplesIcon(props) {
    return h(
      'svg',
      Object.assign(
        { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, strokeLinecap: 'round' },
        props,
      ),
      h('path', { d: 'M9 6h11M9 12h11M9 18h11M4.5 6h.01M4.5 12h.01M4.5 18h.01' }),
    );
  }

  function exampleButton(editor, ex) {
    return h(
      'li',
      { key: ex.name },
      h(
        'button',
        {
          type: 'button',
          className: 'playground-example',
          'data-example': ex.name,
          title: 'Put ' + ex.name + '.graphql into the editor',
          onClick: function () {
            openExample(editor, ex);
          },
        },
        h(
          'span',
          { className: 'playground-example-title' },
          ex.number ? h('b', null, ex.number + '. ') : null,
          ex.title,
        ),
        h('span', { className: 'playground-example-who' }, 'Who: ' + ex.who),
        ex.hint ? h('span', { className: 'playground-example-hint' }, ex.hint) : null,
      ),
    );
  }

  function ExamplesPane() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var rerender = React.useReducer(function (n) {
      return n + 1;
    }, 0)[1];
    React.useEffect(function () {
      var live = true;
      examplesLoaded.then(function () {
        if (live) rerender();
      });
      return function () {
        live = false;
      };
    }, []);

    var body;
    if (examples.error) {
      body = h('p', { className: 'playground-examples-note' }, 'Could not load the examples: ' + examples.error);
    } else if (!examples.list) {
      body = h('p', { className: 'playground-examples-note' }, 'Loading…');
    } else {
      var questions = examples.list.filter(function (ex) {
        return ex.number;
      });
      var groups = [];
      examples.list.forEach(function (ex) {
        if (ex.number) return;
        var last = groups[groups.length - 1];
        if (!last || last.name !== ex.group) groups.push((last = { name: ex.group, list: [] }));
        last.list.push(ex);
      });
      body = [];
      if (questions.length) {
        body.push(
          h(
            'section',
            { key: 'questions', className: 'playground-examples-group', 'data-group': 'questions' },
            h('h3', null, 'Relationship questions (issue #17)'),
            h(
              'ol',
              null,
              questions.map(function (ex) {
                return exampleButton(editor, ex);
              }),
            ),
          ),
        );
      }
      groups.forEach(function (g) {
        body.push(
          h(
            'section',
            { key: 'group:' + g.name, className: 'playground-examples-group', 'data-group': g.name },
            h('h3', null, 'Asked by ' + g.name),
            h(
              'ul',
              null,
              g.list.map(function (ex) {
                return exampleButton(editor, ex);
              }),
            ),
          ),
        );
      });
      if (!body.length) body = h('p', { className: 'playground-examples-note' }, 'No examples.');
    }
    return h(
      'div',
      { className: 'playground-examples' },
      h('div', { className: 'graphiql-doc-explorer-title' }, 'Examples'),
      h(
        'p',
        { className: 'playground-examples-note' },
        'Click one to put it into the editor, then run it. Most need a key in the Headers tab: ',
        h('code', null, '{"Authorization": "Bearer sg_…"}'),
        '.',
      ),
      body,
    );
  }

  var plugins = [{ title: 'Examples', icon: ExamplesIcon, content: ExamplesPane }];
  if (window.GraphiQLPluginExplorer && typeof window.GraphiQLPluginExplorer.explorerPlugin === 'function') {
    plugins.push(window.GraphiQLPluginExplorer.explorerPlugin());
  }

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

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

  // fetcher sends each operation as a plain GraphQL-over-HTTP POST, and a
  // subscription over graphql-sse (see subscribe). Headers typed into
  // GraphiQL's headers editor (e.g. {"Authorization": "Bearer …"}) arrive in
  // opts.headers and override the defaults below.
  function fetcher(params, opts) {
    var headers = new Headers({
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    });
    var extra = (opts && opts.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers.set(name, String(extra[name]));
    });
    if (isSubscription(params)) {
      return subscribe(params, headers);
    }
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

  // isSubscription reports whether the operation to run is a subscription,
  // from the text GraphiQL sends (its parsed document, opts.documentAST,
  // can still be the editor's previous text: it is parsed after a pause).
  // The operations are the definitions at the top level, outside braces
  // and parentheses, with comments and strings left out.
  function isSubscription(params) {
    var text = (params.query || '').replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*/g, ' ');
    var re = /[{}()]|[_A-Za-z][_0-9A-Za-z]*/g;
    var depth = 0;
    var ops = [];
    var open = null;
    var m;
    while ((m = re.exec(text))) {
      var t = m[0];
      if (t === '{' || t === '(') {
        if (depth === 0 && t === '{') {
          if (!open) ops.push({ kind: 'query', name: '' }); // the shorthand query
          open = null;
        }
        depth++;
      } else if (t === '}' || t === ')') {
        depth--;
      } else if (depth === 0) {
        if (t === 'query' || t === 'mutation' || t === 'subscription' || t === 'fragment') {
          open = { kind: t, name: '' };
          ops.push(open);
        } else if (open && !open.name) {
          open.name = t;
        }
      }
    }
    var candidates = ops.filter(function (o) {
      return o.kind !== 'fragment';
    });
    var op = candidates.length === 1 ? candidates[0] : candidates.find(function (o) {
      return o.name === params.operationName;
    });
    return !!op && op.kind === 'subscription';
  }

  // subscribe runs a subscription over graphql-sse (distinct connections
  // mode): a POST that accepts text/event-stream, whose `next` events
  // GraphiQL shows one after another as the async iterable's values,
  // until `complete` or until GraphiQL stops it (return aborts the POST).
  function subscribe(params, headers) {
    headers.set('Accept', 'text/event-stream');
    var abort = new AbortController();
    var queue = [];
    var waiting = null;
    var finished = false;
    function push(item) {
      if (waiting) {
        var w = waiting;
        waiting = null;
        w(item);
      } else {
        queue.push(item);
      }
    }
    function finish(err) {
      if (finished) return;
      finished = true;
      push(err ? { error: err } : { done: true });
    }
    fetch(endpoint, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(params),
      credentials: 'same-origin',
      signal: abort.signal,
    })
      .then(function (res) {
        if ((res.headers.get('Content-Type') || '').indexOf('text/event-stream') !== 0) {
          // refused before streaming (401, 429, ...): the JSON answer
          return res.text().then(function (text) {
            try {
              push({ value: JSON.parse(text) });
            } catch (err) {
              push({ value: { errors: [{ message: 'HTTP ' + res.status + ' ' + res.statusText + ': ' + text }] } });
            }
            finish();
          });
        }
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return finish();
            buffer += decoder.decode(chunk.value, { stream: true });
            var end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              var block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              var event = '';
              var data = '';
              block.split('\n').forEach(function (line) {
                if (line.indexOf('event:') === 0) event = line.slice(6).trim();
                else if (line.indexOf('data:') === 0) data += line.slice(5).trim();
              });
              if (event === 'next' && data) push({ value: JSON.parse(data) });
              else if (event === 'complete') return finish();
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function (err) {
        if (err && err.name === 'AbortError') return finish();
        finish(err);
      });
    var iterator = {
      next: function () {
        var item = queue.length ? Promise.resolve(queue.shift()) : new Promise(function (r) {
          waiting = r;
        });
        return item.then(function (it) {
          if (it.error) throw it.error;
          return it.done ? { value: undefined, done: true } : { value: it.value, done: false };
        });
      },
      return: function () {
        abort.abort();
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
    iterator[Symbol.asyncIterator] = function () {
      return iterator;
    };
    return iterator;
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

  // --- Download CSV / XLSX ------------------------------------------------
  //
  // Two toolbar buttons send the editor's query, variables and headers (the
  // key) to /export (data-export), which walks every page of the query's
  // one connection and answers a file; the browser saves it under the name
  // the server gives. An error (not exportable, no key, a limit) is shown
  // in the result pane, as the API wrote it.

  var exportURL = root.getAttribute('data-export');

  function parseEditor(ed, what) {
    var text = ed ? ed.getValue().trim() : '';
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(what + ' are not JSON: ' + err.message);
    }
  }

  function download(editor, format, setBusy) {
    function show(text) {
      if (editor.responseEditor) editor.responseEditor.setValue(text);
    }
    var body, extra;
    try {
      body = { query: editor.queryEditor ? editor.queryEditor.getValue() : '', format: format };
      var variables = parseEditor(editor.variableEditor, 'Variables');
      if (variables !== undefined) body.variables = variables;
      if (editor.operationName) body.operationName = editor.operationName;
      extra = parseEditor(editor.headerEditor, 'Headers') || {};
    } catch (err) {
      show(JSON.stringify({ errors: [{ message: err.message }] }, null, 2));
      return;
    }
    var headers = new Headers({ 'Content-Type': 'application/json' });
    Object.keys(extra).forEach(function (name) {
      headers.set(name, String(extra[name]));
    });
    setBusy(true);
    fetch(exportURL, { method: 'POST', headers: headers, body: JSON.stringify(body), credentials: 'same-origin' })
      .then(function (res) {
        var type = res.headers.get('Content-Type') || '';
        if (!res.ok || type.indexOf('application/json') === 0) {
          return res.text().then(function (text) {
            try {
              text = JSON.stringify(JSON.parse(text), null, 2);
            } catch (err) {
              text = 'HTTP ' + res.status + ' ' + res.statusText + ': ' + text;
            }
            show(text);
          });
        }
        var m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
        var name = m ? m[1] : 'export.' + format;
        return res.blob().then(function (blob) {
          var a = document.createElement('a');
          a.href = URL.createObjectURL(blob);
          a.download = name;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () {
            URL.revokeObjectURL(a.href);
          }, 60000);
          show(JSON.stringify({ downloaded: name, bytes: blob.size }, null, 2));
        });
      })
      .catch(function (err) {
        show(JSON.stringify({ errors: [{ message: 'export failed: ' + String((err && err.message) || err) }] }, null, 2));
      })
      .finally(function () {
        setBusy(false);
      });
  }

  function ExportButtons() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var state = React.useState(false);
    var busy = state[0];
    var setBusy = state[1];
    return ['csv', 'xlsx'].map(function (format) {
      return h(
        'button',
        {
          key: format,
          type: 'button',
          className: 'graphiql-un-styled graphiql-toolbar-button playground-export',
          'data-format': format,
          disabled: busy,
          title: 'Download ' + format.toUpperCase() + ': every page of the query\'s list, one row per item',
          'aria-label': 'Download ' + format.toUpperCase(),
          onClick: function () {
            download(editor, format, setBusy);
          },
        },
        format.toUpperCase(),
      );
    });
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
        toolbar: exportURL ? { additionalContent: h(ExportButtons, null) } : undefined,
      },
      h(GraphiQL.Logo, null, title),
    ),
  );
})();

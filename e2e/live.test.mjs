// The change feed with real clients' protocol libraries: the npm
// graphql-ws client (subprotocol graphql-transport-ws, the key in
// connection_init) and the npm graphql-sse client (distinct connections
// mode), against two startupgraph servers on one database, each with its
// own LISTEN connection.
//
// It is run by internal/server's TestLiveNodeClients, which starts the two
// servers and makes the keys. By hand:
//
//	LIVE_URL_A=http://127.0.0.1:8080 LIVE_URL_B=http://127.0.0.1:8081 \
//	LIVE_ADMIN_KEY=sg_... LIVE_SUNY_KEY=sg_... LIVE_GHENT_ID=... node --test live.test.mjs
//
// Every wait is bounded; a change must arrive within 1 s of the mutation
// that made it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient as createWSClient } from 'graphql-ws';
import { createClient as createSSEClient } from 'graphql-sse';
import WebSocket from 'ws';

const urlA = process.env.LIVE_URL_A;
const urlB = process.env.LIVE_URL_B;
const adminKey = process.env.LIVE_ADMIN_KEY;
const sunyKey = process.env.LIVE_SUNY_KEY;
const ghentID = process.env.LIVE_GHENT_ID;
const DELIVERY_MS = 1000;
const WAIT_MS = 5000;

const SUB = 'subscription($after: String) { changes(after: $after) { cursor nodeId type kind action } }';
const clients = [];
after(async () => {
  for (const c of clients) await c.dispose();
});

function wsClient(base, key) {
  const c = createWSClient({
    url: base.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: key ? { Authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: false,
  });
  clients.push(c);
  return c;
}

function sseClient(base, key) {
  const c = createSSEClient({ url: base + '/graphql', headers: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
  clients.push(c);
  return c;
}

// feed subscribes and queues what arrives: next(ms) resolves with the next
// event or rejects after ms; events also records error and complete.
function feed(client, variables = {}, query = SUB) {
  const queue = [];
  const waiting = [];
  const seen = { error: null, complete: false };
  const push = (item) => {
    const w = waiting.shift();
    if (w) w(item);
    else queue.push(item);
  };
  const unsubscribe = client.subscribe({ query, variables }, {
    next: (v) => push({ value: v }),
    error: (e) => { seen.error = e; push({ error: e }); },
    complete: () => { seen.complete = true; push({ complete: true }); },
  });
  return {
    seen,
    unsubscribe,
    next(ms = WAIT_MS) {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
        waiting.push((item) => { clearTimeout(timer); resolve(item); });
      });
    },
  };
}

async function graphql(base, key, query, variables = {}) {
  const r = await fetch(base + '/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const body = await r.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

let n = 0;
function createFund(base = urlA) {
  const k = `node-live-${process.pid}-${++n}`;
  return graphql(base, adminKey, 'mutation($k: String!) { createFund(input: {key: $k, nameKo: $k, nameEn: $k, kind: VENTURE_FUND, size: 1}) { fund { id } } }', { k });
}

// settle gives fresh subscriptions time to start reading from "now".
const settle = () => new Promise((r) => setTimeout(r, 200));

test('graphql-ws on two servers and graphql-sse all deliver a change within 1 s', async () => {
  const a = feed(wsClient(urlA, adminKey));
  const b = feed(wsClient(urlB, adminKey));
  const s = feed(sseClient(urlB, adminKey));
  await settle();
  const start = Date.now();
  const { createFund: { fund } } = await createFund(urlA);
  for (const [name, f] of [['graphql-ws, server A', a], ['graphql-ws, server B', b], ['graphql-sse, server B', s]]) {
    const item = await f.next(DELIVERY_MS);
    assert.ok(item.value, `${name}: ${JSON.stringify(item)}`);
    const c = item.value.data.changes;
    assert.equal(c.action, 'createFund', name);
    assert.equal(c.nodeId, fund.id, name);
    assert.ok(Date.now() - start <= DELIVERY_MS, `${name}: after ${Date.now() - start} ms`);
  }
  a.unsubscribe(); b.unsubscribe(); s.unsubscribe();
});

test('a university subscription never receives another university\'s team', async () => {
  const suny = feed(wsClient(urlA, sunyKey));
  await settle();
  const { createStartup: { startup } } = await graphql(urlA, adminKey,
    'mutation($k: String!) { createStartup(input: {key: $k, nameKo: $k, nameEn: $k}) { startup { id } } }', { k: `node-ghent-${process.pid}` });
  await graphql(urlA, adminKey, 'mutation($u: ID!, $t: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT}) { replayed } }',
    { u: ghentID, t: startup.id });
  const { createFund: { fund } } = await createFund(urlB); // public: the fence
  const item = await suny.next(DELIVERY_MS);
  assert.ok(item.value, JSON.stringify(item));
  assert.equal(item.value.data.changes.nodeId, fund.id, 'the first change SUNY Korea sees is the public fence, not Ghent\'s team');
  suny.unsubscribe();
});

test('a subscriber that resumes from its last cursor misses nothing', async () => {
  const client = wsClient(urlB, adminKey);
  const first = feed(client);
  await settle();
  await createFund();
  const last = (await first.next(DELIVERY_MS)).value.data.changes.cursor;
  first.unsubscribe();
  const missed = [];
  for (let i = 0; i < 3; i++) missed.push((await createFund()).createFund.fund.id);
  const again = feed(client, { after: last });
  const got = [];
  for (let i = 0; i < 3; i++) got.push((await again.next(DELIVERY_MS)).value.data.changes.nodeId);
  assert.deepEqual(got, missed);
  again.unsubscribe();
});

// (That no complete follows the error on the wire is checked in Go,
// internal/server's TestLiveWebsocket: this client ignores one.)
test('a refused subscription ends with its error', async () => {
  const f = feed(wsClient(urlA, adminKey), {}, 'subscription { changes { nope } }');
  const item = await f.next(WAIT_MS);
  assert.ok(item.error, JSON.stringify(item));
  assert.match(JSON.stringify(item.error), /GRAPHQL_VALIDATION_FAILED/);
});

// Browser test of the GraphiQL playground served by `startupgraph dev`.
//
// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// opens the playground, runs the default query and waits for the four
// partner universities in the result pane, then saves a screenshot to
// e2e/out/playground.png. Then it opens the Docs pane and checks the root
// types (Query, Mutation) are listed, and types `{ startu` and checks
// autocomplete offers `startups`: both need GraphiQL's introspection
// (e2e/out/playground-docs.png, playground-autocomplete.png).
//
// Every network request the browser makes must stay on 127.0.0.1 (data: and
// blob: URLs are fine). Requests are recorded twice: with Playwright's
// request events and with the Chrome DevTools Protocol's Network domain,
// which also sees what Playwright does not report (e.g. /favicon.ico).
// Attempts the page's Content-Security-Policy blocks before they reach the
// network are caught through `securitypolicyviolation` events. As a second
// line, the browser's host resolver fails every name, so a leak cannot reach
// the internet even before the test reports it.
//
// Run it with e2e/run.sh, which builds and starts the server. By hand:
//
//	PLAYGROUND_URL=http://127.0.0.1:8080/ node --test playground.test.mjs
//
// Environment: PLAYGROUND_URL (required), CHROMIUM_PATH (default
// /usr/bin/chromium), E2E_OUT_DIR (default e2e/out).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const playgroundURL = process.env.PLAYGROUND_URL;
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const outDir = process.env.E2E_OUT_DIR || path.join(here, 'out');
const screenshotPath = path.join(outDir, 'playground.png');
const docsScreenshotPath = path.join(outDir, 'playground-docs.png');
const autocompleteScreenshotPath = path.join(outDir, 'playground-autocomplete.png');

const ALLOWED_HOST = '127.0.0.1';
const WAIT_MS = 30_000; // bound of every single wait
const UNIVERSITIES = ['George Mason University', 'Ghent University', 'SUNY Korea', 'University of Utah'];

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Defence in depth: no host name resolves, so nothing can leave the machine.
  // 127.0.0.1 is an IP literal and is excluded anyway.
  `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${ALLOWED_HOST}`,
];
// Playwright gives every launch a fresh temporary profile (--user-data-dir)
// and removes it on close.

// offLoopback returns why url leaves 127.0.0.1, or '' when it does not.
function offLoopback(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return 'unparsable URL';
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || url === 'about:blank') return '';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return `scheme ${u.protocol}`;
  if (u.hostname !== ALLOWED_HOST) return `host ${u.hostname}`;
  return '';
}

function short(url) {
  return url.length > 140 ? url.slice(0, 140) + '…' : url;
}

test('playground runs the default query against the local server', { timeout: 180_000 }, async (t) => {
  assert.ok(playgroundURL, 'PLAYGROUND_URL is not set (e.g. http://127.0.0.1:8080/); e2e/run.sh sets it');
  assert.equal(offLoopback(playgroundURL), '', `PLAYGROUND_URL must be on ${ALLOWED_HOST}: ${playgroundURL}`);

  const requests = []; // { via, method, url }
  const pageErrors = [];
  const consoleErrors = [];
  const cspViolations = []; // { blockedURI, directive }
  const failedRequests = [];

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: CHROMIUM_ARGS,
    timeout: WAIT_MS,
  });
  try {
    t.diagnostic(`chromium ${browser.version()} (${chromiumPath})`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(WAIT_MS);

    // Record before anything loads: context-wide, so popups and new pages count too.
    context.on('request', (r) => requests.push({ via: 'playwright', method: r.method(), url: r.url() }));
    context.on('requestfailed', (r) => failedRequests.push(`${r.method()} ${short(r.url())}: ${r.failure()?.errorText}`));
    await context.exposeBinding('__e2eCSPViolation', (_src, v) => cspViolations.push(v));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        // eslint-disable-next-line no-undef
        window.__e2eCSPViolation({ blockedURI: e.blockedURI, directive: e.violatedDirective });
      });
    });

    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    cdp.on('Network.requestWillBeSent', (e) =>
      requests.push({ via: 'cdp', method: e.request.method, url: e.request.url }),
    );
    cdp.on('Network.webSocketCreated', (e) => requests.push({ via: 'cdp-ws', method: 'WS', url: e.url }));
    await cdp.send('Network.enable');

    page.on('pageerror', (err) => pageErrors.push(err.stack || String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        const loc = msg.location();
        consoleErrors.push(loc && loc.url ? `${msg.text()} (${short(loc.url)})` : msg.text());
      }
    });

    // 1. Load the playground.
    const resp = await page.goto(playgroundURL, { waitUntil: 'load' });
    assert.ok(resp, 'no response for the playground page');
    assert.equal(resp.status(), 200, `GET ${playgroundURL} answered HTTP ${resp.status()}`);

    // 2. Wait for GraphiQL: the query editor with the default query, and the run button.
    const queryEditor = page.locator('section.graphiql-query-editor .CodeMirror');
    await queryEditor.waitFor({ state: 'visible' });
    const executeButton = page.locator('button.graphiql-execute-button');
    await executeButton.waitFor({ state: 'visible' });
    await page.waitForFunction(
      () => {
        const cm = document.querySelector('section.graphiql-query-editor .CodeMirror')?.CodeMirror;
        return cm && /universities\s*\{/.test(cm.getValue());
      },
      null,
      { timeout: WAIT_MS },
    );
    t.diagnostic('GraphiQL loaded with the default query');

    // 3. Run it and wait for the API's answer to this very query.
    const answer = page.waitForResponse(
      (r) =>
        new URL(r.url()).pathname === '/graphql' &&
        r.request().method() === 'POST' &&
        (r.request().postData() || '').includes('universities'),
      { timeout: WAIT_MS },
    );
    await executeButton.click();
    const apiResponse = await answer;
    assert.equal(apiResponse.status(), 200, `POST /graphql answered HTTP ${apiResponse.status()}`);

    // 4. The result pane shows the four universities. CodeMirror renders only
    // the visible lines, so read the editor's value rather than the DOM text.
    const resultText = async () =>
      page.evaluate(() => {
        const el = document.querySelector('section.result-window .CodeMirror');
        return (el && el.CodeMirror ? el.CodeMirror.getValue() : el?.innerText) || '';
      });
    try {
      await page.waitForFunction(
        (names) => {
          const el = document.querySelector('section.result-window .CodeMirror');
          const text = (el && el.CodeMirror ? el.CodeMirror.getValue() : el?.innerText) || '';
          return names.every((n) => text.includes(n));
        },
        ['SUNY Korea', 'Ghent University'],
        { timeout: WAIT_MS },
      );
    } catch (err) {
      throw new Error(`result pane never showed SUNY Korea and Ghent University; it holds:\n${await resultText()}`, {
        cause: err,
      });
    }
    const result = JSON.parse(await resultText());
    assert.equal(result.errors, undefined, `the query returned errors: ${JSON.stringify(result.errors)}`);
    assert.deepEqual(result.data.universities.map((u) => u.nameEn).sort(), UNIVERSITIES);
    for (const u of result.data.universities) {
      assert.ok(u.id && u.nameKo, `university without id or nameKo: ${JSON.stringify(u)}`);
    }
    // The visible pane (what the screenshot shows) has them too.
    const visible = await page.locator('section.result-window').innerText();
    for (const name of ['SUNY Korea', 'Ghent University']) {
      assert.ok(visible.includes(name), `"${name}" is not visible in the result pane`);
    }
    t.diagnostic(`result pane shows ${result.data.universities.map((u) => u.nameEn).join(', ')}`);

    // 5. Screenshot.
    await mkdir(outDir, { recursive: true });
    await page.screenshot({ path: screenshotPath, timeout: WAIT_MS });
    t.diagnostic(`screenshot: ${screenshotPath}`);

    // 6. The schema reached GraphiQL (its introspection query, graphql-js's
    // standard one, is 15 levels deep): the Docs pane lists the root types
    // and the editor's autocomplete knows the fields.
    await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
    const docs = page.locator('.graphiql-doc-explorer');
    try {
      await docs.locator('.graphiql-doc-explorer-root-type', { hasText: 'mutation' }).waitFor({ state: 'visible' });
    } catch (err) {
      throw new Error(`the Docs pane never listed the root types; it shows:\n${await docs.innerText().catch(() => '(no Docs pane)')}`, {
        cause: err,
      });
    }
    const docsText = await docs.innerText();
    for (const root of ['query: Query', 'mutation: Mutation']) {
      assert.ok(docsText.replace(/\s+/g, ' ').includes(root), `the Docs pane does not list "${root}":\n${docsText}`);
    }
    await mkdir(outDir, { recursive: true });
    await page.screenshot({ path: docsScreenshotPath, timeout: WAIT_MS });
    t.diagnostic(`Docs pane lists the root types; screenshot: ${docsScreenshotPath}`);

    await queryEditor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ startu', { delay: 50 });
    const hints = page.locator('.CodeMirror-hints .CodeMirror-hint');
    try {
      await hints.filter({ hasText: /^startups$/ }).first().waitFor({ state: 'visible' });
    } catch (err) {
      const offered = await hints.allInnerTexts().catch(() => []);
      throw new Error(`autocomplete after "{ startu" did not offer startups; it offered: ${JSON.stringify(offered)}`, { cause: err });
    }
    await page.screenshot({ path: autocompleteScreenshotPath, timeout: WAIT_MS });
    t.diagnostic(`autocomplete offers startups; screenshot: ${autocompleteScreenshotPath}`);

    // Let late requests (e.g. the favicon) arrive before judging the traffic.
    await page.waitForLoadState('networkidle', { timeout: WAIT_MS }).catch(() => {});
  } catch (err) {
    // Keep what the browser showed when it went wrong.
    const failurePath = path.join(outDir, 'playground-failure.png');
    await mkdir(outDir, { recursive: true }).catch(() => {});
    for (const p of browser.contexts().flatMap((c) => c.pages())) {
      await p.screenshot({ path: failurePath, timeout: 5_000 }).then(
        () => t.diagnostic(`failure screenshot: ${failurePath}`),
        () => {},
      );
    }
    throw err;
  } finally {
    await browser.close().catch(() => {});
    // 7. Report what the browser did (also when a step above failed).
    const urls = [...new Set(requests.map((r) => `${r.method} ${r.url}`))];
    t.diagnostic(`${urls.length} distinct requests:`);
    for (const u of urls) t.diagnostic(`  ${short(u)}`);
    for (const e of consoleErrors) t.diagnostic(`console error: ${e}`);
    for (const f of failedRequests) t.diagnostic(`request failed: ${f}`);
    for (const v of cspViolations) t.diagnostic(`CSP violation: ${v.directive} blocked ${v.blockedURI || '(none)'}`);
    for (const e of pageErrors) t.diagnostic(`page error: ${e}`);
  }

  // 8. Judge the traffic and the page's health.

  const offHost = requests
    .map((r) => ({ ...r, why: offLoopback(r.url) }))
    .filter((r) => r.why)
    .map((r) => `${r.via}: ${r.method} ${short(r.url)} (${r.why})`);
  assert.deepEqual(offHost, [], `the browser made requests that leave ${ALLOWED_HOST}`);

  // A CSP-blocked attempt never becomes a request; count it when it aimed
  // off the machine. (Inline-style reports from GraphiQL's dialogs have
  // blockedURI "inline" and are fine.)
  const offHostAttempts = cspViolations
    .filter((v) => /^(https?|wss?):/i.test(v.blockedURI || '') && offLoopback(v.blockedURI))
    .map((v) => `${v.directive}: ${v.blockedURI}`);
  assert.deepEqual(offHostAttempts, [], `the page tried to reach beyond ${ALLOWED_HOST} (blocked by its CSP)`);

  assert.ok(
    requests.some((r) => r.method === 'POST' && new URL(r.url).pathname === '/graphql'),
    'no POST /graphql was recorded: the request log is not working',
  );
  assert.deepEqual(pageErrors, [], 'the page threw uncaught errors');
});

// Browser test of the GraphiQL playground served by `startupgraph dev`.
//
// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// opens the playground, runs the default query and waits for the four
// partner universities in the result pane, then saves a screenshot to
// e2e/out/playground.png. Then it opens the Docs pane and checks the root
// types (Query, Mutation) are listed, and types `{ startu` and checks
// autocomplete offers `startups`: both need GraphiQL's introspection
// (e2e/out/playground-docs.png, playground-autocomplete.png). Last it
// opens the Examples plugin, checks it lists issue #17's ten questions
// (examples/question-*.graphql, read here from disk) in order, puts
// question 9 into the editor with a click, runs it with an ANALYST key
// (E2E_API_KEY, made by run.sh) in the Headers tab, and checks the result
// pane holds the API's answer: the teams with the most jobs created
// (e2e/out/playground-examples.png). Then it downloads every team as CSV
// and as XLSX with the toolbar's export buttons and opens both files: the
// CSV parsed, the XLSX unzipped, each checked against the API's count
// (e2e/out/playground-export.csv, .xlsx and .png).
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
// Environment: PLAYGROUND_URL (required), E2E_API_KEY (an ANALYST key of
// that server, for the examples step), CHROMIUM_PATH (default
// /usr/bin/chromium), E2E_OUT_DIR (default e2e/out).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const playgroundURL = process.env.PLAYGROUND_URL;
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const outDir = process.env.E2E_OUT_DIR || path.join(here, 'out');
const screenshotPath = path.join(outDir, 'playground.png');
const docsScreenshotPath = path.join(outDir, 'playground-docs.png');
const autocompleteScreenshotPath = path.join(outDir, 'playground-autocomplete.png');
const examplesScreenshotPath = path.join(outDir, 'playground-examples.png');
const exportScreenshotPath = path.join(outDir, 'playground-export.png');
const examplesDir = path.join(here, '..', 'examples');
const apiKey = process.env.E2E_API_KEY;
// An ADMIN key of the same server (made by run.sh), for the change the
// subscription step makes; without one that step is skipped.
const adminKey = process.env.E2E_ADMIN_KEY;

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

// EXPORT_QUERY is what step 11 downloads: every team, in pages of 7, with
// an alias and a nested list.
const EXPORT_QUERY = '{ startups(first: 7) { nodes { key team: nameEn stage sectors { nodes { key } } } } }';

// parseCSV reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

// unzipEntry returns the uncompressed bytes of the entry named name of a
// zip archive (an XLSX workbook), found through its central directory.
function unzipEntry(zip, name) {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'not a zip archive: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, 'bad zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entry = zip.toString('utf8', p + 46, p + 46 + nameLen);
    names.push(entry);
    if (entry === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return method === 0 ? data : inflateRawSync(data);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  assert.fail(`the workbook has no ${name}; it has ${names.join(', ')}`);
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

    // 7. The Examples plugin lists the ten questions, in order, each with
    // its title (the files' first comment line is the start of it).
    assert.ok(apiKey, 'E2E_API_KEY is not set (an ANALYST key of the server); e2e/run.sh makes one');
    const questions = [];
    for (const file of (await readdir(examplesDir)).filter((f) => /^question-\d\d-.*\.graphql$/.test(f)).sort()) {
      const src = await readFile(path.join(examplesDir, file), 'utf8');
      const m = /^# Question (\d+): (.*)$/m.exec(src);
      assert.ok(m, `${file} does not start with "# Question N: …"`);
      questions.push({ name: file.replace(/\.graphql$/, ''), number: Number(m[1]), titleStart: m[2].trim(), src });
    }
    assert.equal(questions.length, 10, `examples/ holds ${questions.length} question files, want 10`);
    await page.locator('.graphiql-sidebar button[aria-label="Show Examples"]').click();
    const pane = page.locator('.graphiql-plugin .playground-examples');
    const questionButtons = pane.locator('[data-group="questions"] button.playground-example');
    try {
      await questionButtons.first().waitFor({ state: 'visible' });
    } catch (err) {
      throw new Error(`the Examples plugin listed no questions; it shows:\n${await pane.innerText().catch(() => '(no pane)')}`, {
        cause: err,
      });
    }
    const listed = await questionButtons.evaluateAll((buttons) =>
      buttons.map((b) => ({ name: b.getAttribute('data-example'), text: b.innerText.replace(/\s+/g, ' ') })),
    );
    assert.deepEqual(
      listed.map((q) => q.name),
      questions.map((q) => q.name),
      'the Examples plugin does not list the ten questions first, in order',
    );
    questions.forEach((q, i) => {
      assert.ok(
        listed[i].text.startsWith(`${q.number}. `) && listed[i].text.includes(q.titleStart.replace(/\s+/g, ' ')),
        `question ${q.number} is listed as "${listed[i].text}"; want its number and title "${q.titleStart}…"`,
      );
      assert.ok(listed[i].text.includes('Who: '), `question ${q.number} is listed without its Who: ${listed[i].text}`);
    });
    const otherGroups = await pane.locator('.playground-examples-group:not([data-group="questions"]) h3').allInnerTexts();
    assert.ok(otherGroups.length >= 3, `the other examples are not grouped by who asks them: ${JSON.stringify(otherGroups)}`);
    t.diagnostic(`Examples lists the ten questions, then: ${otherGroups.join(', ')}`);

    // 8. The key goes into the Headers tab, as a user pastes it.
    await page.locator('.graphiql-editor-tools button', { hasText: /^Headers$/ }).click();
    const headersEditor = page.locator('section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror');
    await headersEditor.waitFor({ state: 'visible' });
    await headersEditor.evaluate((el, key) => el.CodeMirror.setValue(JSON.stringify({ Authorization: `Bearer ${key}` })), apiKey);

    // 9. A click on question 9 puts its operation, without the test lines,
    // into a new tab (the current one holds the "{ startu" typed above),
    // which keeps the key.
    const q9 = questions.find((q) => q.number === 9);
    await questionButtons.filter({ has: page.locator('b', { hasText: /^9\. $/ }) }).click();
    const operationName = /^query (\w+)/m.exec(q9.src)[1];
    await page.waitForFunction(
      (name) => {
        const cm = document.querySelector('section.graphiql-query-editor .CodeMirror')?.CodeMirror;
        return cm && cm.getValue().includes(`query ${name}`);
      },
      operationName,
      { timeout: WAIT_MS },
    );
    const editorText = await queryEditor.evaluate((el) => el.CodeMirror.getValue());
    const wantText = q9.src
      .split('\n')
      .filter((line) => !line.startsWith('# test-'))
      .join('\n');
    assert.equal(editorText, wantText, 'the editor does not hold question 9 without its test lines');
    // (GraphiQL names a tab after its operation a moment after an edit.)
    await page
      .waitForFunction(
        (name) => {
          const tabs = [...document.querySelectorAll('.graphiql-tabs .graphiql-tab')].map((el) => el.innerText);
          return tabs.length >= 2 && tabs.some((x) => x.includes(name));
        },
        operationName,
        { timeout: WAIT_MS },
      )
      .catch(async (err) => {
        const tabs = await page.locator('.graphiql-tabs .graphiql-tab').allInnerTexts();
        throw new Error(`question 9 did not open in a new tab beside the user's own; tabs: ${JSON.stringify(tabs)}`, { cause: err });
      });

    // 10. Run it: the result pane holds exactly the API's answer, the
    // teams that created the most jobs, most first.
    const q9Answer = page.waitForResponse(
      (r) =>
        new URL(r.url()).pathname === '/graphql' &&
        r.request().method() === 'POST' &&
        (r.request().postData() || '').includes(operationName),
      { timeout: WAIT_MS },
    );
    await executeButton.click();
    const q9Response = await q9Answer;
    assert.equal(q9Response.status(), 200, `POST /graphql (question 9) answered HTTP ${q9Response.status()}`);
    assert.match((await q9Response.request().allHeaders())['authorization'] || '', /^Bearer sg_/, 'question 9 was sent without the key');
    const q9Result = await q9Response.json();
    assert.equal(q9Result.errors, undefined, `question 9 returned errors: ${JSON.stringify(q9Result.errors)}`);
    const teams = q9Result.data.startups.nodes;
    assert.ok(teams.length > 0 && teams.length <= 10, `question 9 returned ${teams.length} teams`);
    const jobs = teams.map((s) => s.outcomes.nodes.reduce((sum, o) => sum + (o.quantity || 0), 0));
    assert.ok(jobs[0] > 0, `the first team has created no jobs: ${JSON.stringify(teams[0])}`);
    for (let i = 1; i < jobs.length; i++) {
      assert.ok(jobs[i] <= jobs[i - 1], `question 9 is not ordered by jobs created: ${jobs.join(', ')}`);
    }
    try {
      await page.waitForFunction(
        (name) => {
          const el = document.querySelector('section.result-window .CodeMirror');
          return ((el && el.CodeMirror ? el.CodeMirror.getValue() : '') || '').includes(name);
        },
        teams[0].name,
        { timeout: WAIT_MS },
      );
    } catch (err) {
      throw new Error(`the result pane never showed ${teams[0].name}; it holds:\n${await resultText()}`, { cause: err });
    }
    assert.deepEqual(JSON.parse(await resultText()), q9Result, 'the result pane does not hold the API\'s answer to question 9');
    const visibleResult = await page.locator('section.result-window').innerText();
    assert.ok(visibleResult.includes(teams[0].name), `"${teams[0].name}" is not visible in the result pane`);
    await page.screenshot({ path: examplesScreenshotPath, timeout: WAIT_MS });
    t.diagnostic(
      `question 9 from Examples: ${teams.map((s, i) => `${s.name} (${jobs[i]})`).join(', ')}; screenshot: ${examplesScreenshotPath}`,
    );

    // 11. Download the current query's list as CSV and as XLSX with the
    // toolbar buttons, and open both: the CSV is parsed (BOM, header from
    // the selection, one row per team of every page), the XLSX is unzipped
    // and its sheet's rows counted.
    await queryEditor.evaluate((el, q) => el.CodeMirror.setValue(q), EXPORT_QUERY);
    const total = await (
      await fetch(new URL('/graphql', playgroundURL), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query: '{ startups { totalCount } }' }),
      })
    ).json();
    const teamCount = total.data.startups.totalCount;
    assert.ok(teamCount > 7, `the demo data has ${teamCount} teams; the export should walk several pages of 7`);
    const downloads = {};
    for (const format of ['csv', 'xlsx']) {
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: WAIT_MS }),
        page.locator(`button.playground-export[data-format="${format}"]`).click(),
      ]);
      assert.equal(download.suggestedFilename(), `startups.${format}`);
      const file = path.join(outDir, `playground-export.${format}`);
      await download.saveAs(file);
      downloads[format] = await readFile(file);
    }
    const csvText = downloads.csv.toString('utf8');
    assert.ok(csvText.startsWith('\ufeff'), 'the CSV has no UTF-8 BOM');
    const csvRows = parseCSV(csvText.slice(1));
    assert.deepEqual(csvRows[0], ['key', 'team', 'stage', 'sectors.nodes.key']);
    assert.equal(csvRows.length - 1, teamCount, `the CSV has ${csvRows.length - 1} rows, the API counts ${teamCount} teams`);
    assert.equal(new Set(csvRows.slice(1).map((r) => r[0])).size, teamCount, 'the CSV repeats a team');
    const sheet = unzipEntry(downloads.xlsx, 'xl/worksheets/sheet1.xml').toString('utf8');
    const sheetRows = sheet.match(/<row[ >]/g) || [];
    assert.equal(sheetRows.length - 1, teamCount, `the XLSX sheet has ${sheetRows.length - 1} rows, want ${teamCount}`);
    assert.ok(sheet.includes(csvRows[1][0]), `the XLSX sheet does not hold ${csvRows[1][0]}`);
    await page.screenshot({ path: exportScreenshotPath, timeout: WAIT_MS });
    t.diagnostic(`downloaded startups.csv (${csvRows.length - 1} rows) and startups.xlsx (${sheetRows.length - 1} rows); screenshot: ${exportScreenshotPath}`);

    // 12. A subscription runs in the playground (over graphql-sse, with the
    // key of the Headers tab): a change made meanwhile, by an ADMIN key
    // outside the browser, appears in the result pane; the stop button
    // ends it.
    if (adminKey) {
      await queryEditor.evaluate((el, q) => el.CodeMirror.setValue(q), 'subscription Live { changes { nodeId type kind action } }');
      const streaming = page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/graphql' && (r.headers()['content-type'] || '').startsWith('text/event-stream'),
        { timeout: WAIT_MS },
      );
      await executeButton.click();
      await streaming;
      const fundKey = `e2e-live-${Date.now()}`;
      const made = await (
        await fetch(new URL('/graphql', playgroundURL), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminKey}` },
          body: JSON.stringify({ query: 'mutation($k: String!) { createFund(input: {key: $k, nameKo: $k, nameEn: $k, kind: VENTURE_FUND, size: 1}) { fund { id } } }', variables: { k: fundKey } }),
        })
      ).json();
      assert.equal(made.errors, undefined, JSON.stringify(made.errors));
      await page
        .waitForFunction(
          (id) => {
            const el = document.querySelector('section.result-window .CodeMirror');
            return el && el.CodeMirror && el.CodeMirror.getValue().includes(id);
          },
          made.data.createFund.fund.id,
          { timeout: WAIT_MS },
        )
        .catch(async (err) => {
          throw new Error(`the subscription never showed the new fund; the result pane holds:\n${await resultText()}`, { cause: err });
        });
      const change = JSON.parse(await resultText());
      assert.equal(change.data.changes.action, 'createFund');
      await page.screenshot({ path: path.join(outDir, 'playground-subscription.png'), timeout: WAIT_MS });
      await executeButton.click(); // stop it
      t.diagnostic(`subscription showed ${change.data.changes.kind} ${change.data.changes.type} ${change.data.changes.nodeId}`);
    }

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
    // 12. Report what the browser did (also when a step above failed).
    const urls = [...new Set(requests.map((r) => `${r.method} ${r.url}`))];
    t.diagnostic(`${urls.length} distinct requests:`);
    for (const u of urls) t.diagnostic(`  ${short(u)}`);
    for (const e of consoleErrors) t.diagnostic(`console error: ${e}`);
    for (const f of failedRequests) t.diagnostic(`request failed: ${f}`);
    for (const v of cspViolations) t.diagnostic(`CSP violation: ${v.directive} blocked ${v.blockedURI || '(none)'}`);
    for (const e of pageErrors) t.diagnostic(`page error: ${e}`);
  }

  // 13. Judge the traffic and the page's health.

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

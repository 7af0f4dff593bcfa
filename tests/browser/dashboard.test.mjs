// The wall dashboard in a real browser (headless Chromium from Debian's
// package, driven by playwright-core): the daemon started here on a fresh
// data directory, a dashboard account and token made over the API, the page
// opened as a wall screen would, and then what a screen must do by itself:
// show a new ticket within a second, follow its status, and catch up after
// the daemon restarts, without a reload and without errors in the console.
//
//   node dashboard.test.mjs /path/to/helpdeskd     (or HELPDESKD=...)
//
// Environment: HELPDESK_ARTIFACTS (where dashboard.png and daemon logs go;
// default ./artifacts beside this file), CHROMIUM (default /usr/bin/chromium),
// HELPDESK_WEB_DIR (serve the page from this folder, e.g. daemon/web, instead
// of the daemon's embedded copy: try an edit of the page without a rebuild).
// Exits 0 when every step passed, 1 with the failing step's reason.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  api, artifacts, chromiumPath, Daemon, fail, Failure, firstAccounts,
  fulfillFile, kStepTimeoutMs, launchBrowser, log, ok, sleep, tally, webDir,
} from './harness.mjs';

const daemonPath = process.argv[2] || process.env.HELPDESKD || '';

const kAppearMs = 1000;        // a new ticket is on the wall within this
const kReconnectMs = 45000;    // backoff doubles to 30 s: room for one step
const kWholeTestMs = 180000;

let running = null;  // the daemon, for the watchdog

// ------------------------------------------------------------ accounts

// The first start's account that `wanted({account, roles})` picks, logged
// in over the API.
async function login(daemon, accounts, wanted) {
  const found = [...accounts].map(([account, a]) => ({account, ...a}))
                    .find(wanted);
  if (!found) fail('first-start-credentials.txt lacks an account needed');
  const {json} = await api(daemon, 'POST', '/api/v1/session', {
    body: {account: found.account, password: found.password},
  });
  if (!json || !json.token) fail(`the login of ${found.account} gave no token`);
  const staffId = (json.account && json.account.staffId) || found.account;
  return {account: found.account, staffId, token: json.token};
}

// ------------------------------------------------------------ the page

// Waits until `predicate` (run in the page) holds; fails with `what`.
async function waitInPage(page, what, predicate, arg, timeout) {
  try {
    await page.waitForFunction(predicate, arg, {timeout, polling: 'raf'});
  } catch (e) {
    const status = await page.locator('[data-testid="status"]').textContent()
                       .catch(() => '?');
    fail(`${what}: not within ${timeout} ms (status banner: ` +
         `"${(status || '').trim()}")`);
  }
}

function waitLive(page, timeout) {
  return waitInPage(page, 'the banner says Live', () => {
    const s = document.querySelector('[data-testid="status"]');
    return s && s.dataset.live === 'true' && s.textContent.includes('Live');
  }, null, timeout);
}

function waitRow(page, id, status, timeout) {
  return waitInPage(
      page, `ticket ${id} shown${status ? ` as ${status}` : ''}`,
      ([id, status]) => {
        const row = document.querySelector(`[data-testid="ticket-${id}"]`);
        return row && (!status || row.dataset.status === status);
      },
      [id, status], timeout);
}

// What the wall shows, as numbers: per municipality its open tickets and
// today's figures, the open total, and the tickets in the nearest list.
function readWall(page) {
  return page.evaluate(() => {
    const municipalities = {};
    for (const row of document.querySelectorAll(
             '[data-testid="open-table"] tbody tr[data-municipality]')) {
      municipalities[row.dataset.municipality] = {open: Number(row.dataset.open)};
    }
    for (const row of document.querySelectorAll(
             '[data-testid="today"] tr[data-municipality]')) {
      Object.assign(municipalities[row.dataset.municipality] ||= {}, {
        createdToday: Number(row.dataset.created),
        resolvedToday: Number(row.dataset.resolved),
        firstResponsesToday: Number(row.dataset.firstResponses),
        firstResponsesMetToday: Number(row.dataset.firstResponsesMet),
      });
    }
    const tickets = [...document.querySelectorAll(
                         '[data-testid^="ticket-"]')]
                        .map((row) => row.dataset.testid.slice(7))
                        .sort();
    const total = document.getElementById('open-total');
    return {
      municipalities,
      openTotal: Number(total && total.dataset.total),
      tickets,
    };
  });
}

// Waits until the wall's figures for `municipality` match `want`.
async function waitFigures(page, municipality, want, timeout) {
  const deadline = Date.now() + timeout;
  let got = null;
  for (;;) {
    got = (await readWall(page)).municipalities[municipality] || {};
    if (Object.entries(want).every(([k, v]) => got[k] === v)) return;
    if (Date.now() > deadline) {
      fail(`${municipality} on the wall: ${JSON.stringify(got)}, expected ` +
           `${JSON.stringify(want)}`);
    }
    await sleep(50);
  }
}

// Answers the page's own files from `dir` (HELPDESK_WEB_DIR).
async function serveFrom(page, dir) {
  await page.route(/\/dashboard(\/[^/?#]*)?([?#].*)?$/, async (route) => {
    const {pathname} = new URL(route.request().url());
    const file = pathname === '/dashboard' ? 'dashboard.html' :
                                             pathname.slice('/dashboard/'.length);
    await fulfillFile(route, dir, file,
                      {'content-security-policy': "default-src 'self'"});
  });
}

// ------------------------------------------------------------ the test

async function main() {
  if (!daemonPath) {
    fail('usage: node dashboard.test.mjs /path/to/helpdeskd (or HELPDESKD=)');
  }
  if (!fs.existsSync(chromiumPath)) {
    fail(`no browser at ${chromiumPath} (apt-get install chromium)`);
  }
  await fsp.mkdir(artifacts, {recursive: true});
  const dataDir =
      await fsp.mkdtemp(path.join(os.tmpdir(), 'helpdesk-browser-'));
  const daemon = new Daemon(path.resolve(daemonPath), dataDir, [],
                            {logName: 'daemon'});
  running = daemon;
  let browser = null;
  let page = null;
  let succeeded = false;
  const errors = [];  // the page's console errors and uncaught exceptions
  try {
    const port = await daemon.start(0);
    ok(`helpdeskd listens on ${port} (data ${dataDir})`);

    // An admin makes the screen's account; tickets are filed and moved by
    // a dispatcher (admins do not file tickets).
    const accounts = await firstAccounts(dataDir);
    const admin =
        (await login(daemon, accounts, (a) => a.account === 'admin')).token;
    const agent =
        await login(daemon, accounts, (a) => a.roles.includes('dispatcher'));
    await api(daemon, 'POST', '/api/v1/accounts', {
      token: admin,
      body: {id: 'wall', name: 'Veggskjerm', roles: ['dashboard']},
    });
    const wall = (await api(daemon, 'POST', '/api/v1/tokens', {
                   token: admin,
                   body: {account: 'wall', name: 'Driftsrommet'},
                 })).json.token;
    if (!wall || !wall.startsWith('hdt_')) fail(`no API token: ${wall}`);
    ok(`admin and ${agent.account} logged in; dashboard account "wall" ` +
       'has a token');

    const services =
        (await api(daemon, 'GET',
                   '/api/v1/catalogue/services?municipality=tinn&q=skriver',
                   {token: admin}))
            .json.services || [];
    const anyService = services.length ?
        services :
        ((await api(daemon, 'GET',
                    '/api/v1/catalogue/services?municipality=tinn',
                    {token: admin}))
             .json.services || []);
    if (!anyService.length) fail('no service for tinn in the catalogue');
    const serviceId = anyService[0].id;

    // With HELPDESK_WEB_DIR, without Chromium's local network access
    // checks (they would keep a routed page from the daemon's websocket).
    browser = await launchBrowser();
    page = await browser.newPage({viewport: {width: 1920, height: 1080}});
    if (webDir) await serveFrom(page, webDir);

    // Console errors fail the test; the browser's own report of a refused
    // websocket is expected only while the daemon is down.
    let outage = false;
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (outage && /^WebSocket connection to .* failed/.test(text)) return;
      errors.push(`console: ${text}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    const sockets = [];
    page.on('websocket', (ws) => {
      const entry = {url: ws.url(), hello: null};
      sockets.push(entry);
      ws.on('framereceived', ({payload}) => {
        if (entry.hello || typeof payload !== 'string') return;
        try {
          const m = JSON.parse(payload);
          if (m.type === 'hello') entry.hello = m;
        } catch {
          // checked by the page, not here
        }
      });
    });
    const checkErrors = (when) => {
      if (errors.length) fail(`${when}: ${errors.join(' | ')}`);
    };

    const response = await page.goto(
        daemon.url(`/dashboard#token=${encodeURIComponent(wall)}`));
    if (!response || response.status() !== 200) {
      fail(`GET /dashboard answered ${response && response.status()}`);
    }
    await waitLive(page, kStepTimeoutMs);
    await page.evaluate(() => {
      window.helpdeskNotReloaded = true;
    });
    if (!sockets.length || sockets[0].url.includes('since=')) {
      fail(`the first stream should ask without since: ${
          sockets.map((s) => s.url).join(', ')}`);
    }
    ok('the page is Live (first stream without since)');
    for (const id of ['open-table', 'unassigned', 'alerts', 'vakt', 'today']) {
      if (!(await page.locator(`[data-testid="${id}"]`).count())) {
        fail(`no [data-testid="${id}"] on the page`);
      }
    }
    const tinn = (await readWall(page)).municipalities.tinn;
    if (!tinn || !(tinn.open >= 0) || !(tinn.createdToday >= 0)) {
      fail(`no figures for tinn on the wall: ${JSON.stringify(tinn)}`);
    }

    // A new ticket is on the wall within a second of the API's answer.
    const first = await api(daemon, 'POST', '/api/v1/tickets', {
      token: agent.token,
      body: {
        title: 'Skriveren på rådhuset virker ikke',
        description: 'Papirstopp <b>hele tiden</b> & "feil 42"',
        municipality: 'tinn',
        serviceId,
        priority: 'high',
      },
    });
    const id1 = first.json.id;
    await waitRow(page, id1, '', 5000);
    const appeared = Date.now() - first.answeredAt;
    if (appeared > kAppearMs) {
      fail(`ticket ${id1} appeared ${appeared} ms after the answer ` +
           `(limit ${kAppearMs} ms)`);
    }
    ok(`ticket ${id1} on the wall ${appeared} ms after the POST's answer`);
    await waitFigures(
        page, 'tinn',
        {open: tinn.open + 1, createdToday: tinn.createdToday + 1}, 1000);
    ok('the open table and today\'s figures for tinn counted it');

    // Its status moves on the wall: assigned (by dispatch, or here by the
    // dispatcher), then in_progress.
    let ticket = (await api(daemon, 'GET', `/api/v1/tickets/${id1}`,
                            {token: agent.token}))
                     .json;
    if (ticket.status === 'new') {
      ticket = (await api(daemon, 'POST', `/api/v1/tickets/${id1}/assign`, {
                 token: agent.token,
                 body: {
                   assignee: agent.staffId,
                   reason: 'Nettlesertesten tar saken',
                   version: ticket.version,
                 },
               })).json;
    }
    await waitRow(page, id1, ticket.status, kStepTimeoutMs);
    const moved = await api(daemon, 'POST', `/api/v1/tickets/${id1}/status`, {
      token: agent.token,
      body: {status: 'in_progress', version: ticket.version},
    });
    await waitRow(page, id1, 'in_progress', kStepTimeoutMs);
    ok(`ticket ${id1}: ${ticket.status} -> in_progress shown ` +
       `${Date.now() - moved.answeredAt} ms after the answer`);
    const madeResponse = (moved.json.sla && moved.json.sla.firstResponse) || {};
    await waitFigures(page, 'tinn', {
      firstResponsesToday: tinn.firstResponsesToday + 1,
      firstResponsesMetToday:
          tinn.firstResponsesMetToday + (madeResponse.state === "met" ? 1 : 0),
    }, kStepTimeoutMs);
    ok(`its first response (${madeResponse.state}) counted for tinn today`);

    // A wall without a token says what it needs.
    const bare = await browser.newPage();
    if (webDir) await serveFrom(bare, webDir);
    await bare.goto(daemon.url('/dashboard'));
    await waitInPage(bare, 'the page without a token explains itself', () => {
      const n = document.querySelector('[data-testid="notice"]');
      return n && !n.classList.contains('hidden') &&
          n.textContent.includes('token') &&
          document.querySelector('[data-testid="status"]').dataset.live ===
          'false';
    }, null, kStepTimeoutMs);
    await bare.close();
    ok('without a token the page asks for /dashboard#token=...');
    checkErrors('before the restart');

    // The daemon stops: the wall says so, and catches up by itself once the
    // daemon is back on the same port.
    outage = true;
    await daemon.stop();
    await waitInPage(page, 'the banner says not live', () => {
      const s = document.querySelector('[data-testid="status"]');
      return s && s.dataset.live === 'false' && !s.textContent.includes('Live');
    }, null, kStepTimeoutMs);
    ok('daemon stopped: the banner says "Ikke live"');
    await daemon.start(port);
    ok(`helpdeskd restarted on ${port}`);
    const second = await api(daemon, 'POST', '/api/v1/tickets', {
      token: agent.token,
      body: {
        title: 'Ingen nett på biblioteket',
        description: 'Etter omstarten',
        municipality: 'tinn',
        serviceId,
        priority: 'critical',
      },
    });
    const id2 = second.json.id;
    await waitLive(page, kReconnectMs);
    outage = false;
    await waitRow(page, id2, '', kStepTimeoutMs);
    await waitRow(page, id1, 'in_progress', 1000);
    const notReloaded =
        await page.evaluate(() => window.helpdeskNotReloaded === true);
    if (!notReloaded) fail('the page was reloaded');
    const resumed = sockets.slice(1).find((s) => s.hello);
    if (!resumed || !/[?&]since=\d+/.test(resumed.url) ||
        !/[?&]epoch=/.test(resumed.url)) {
      fail(`the reconnect should resume with since and epoch: ${
          sockets.map((s) => s.url.replace(/access_token=[^&]*/, 'access_token=…'))
              .join(', ')}`);
    }
    if (resumed.hello.recovered !== true) {
      fail(`the daemon did not resume the stream: ${
          JSON.stringify(resumed.hello)}`);
    }
    ok(`caught up without reload: Live again, ticket ${id2} shown ` +
       '(resumed with since and epoch, recovered)');

    // Resolved: off the wall's open tickets, counted as resolved today.
    const before = (await readWall(page)).municipalities.tinn;
    const current = (await api(daemon, 'GET', `/api/v1/tickets/${id1}`,
                               {token: agent.token}))
                        .json;
    await api(daemon, 'POST', `/api/v1/tickets/${id1}/status`, {
      token: agent.token,
      body: {status: 'resolved', version: current.version, reason: 'Fikset'},
    });
    await waitInPage(page, `ticket ${id1} off the wall once resolved`,
                     (id) => !document.querySelector(
                         `[data-testid="ticket-${id}"]`),
                     id1, kStepTimeoutMs);
    await waitFigures(page, 'tinn', {
      open: before.open - 1,
      resolvedToday: before.resolvedToday + 1,
    }, kStepTimeoutMs);
    ok(`ticket ${id1} resolved: gone from the open tickets, counted today`);

    // What the wall worked out from events is what the daemon's board says
    // (the snapshot a reload would start from).
    const board = (await api(daemon, 'GET', '/api/v1/dashboard',
                             {token: wall}))
                      .json;
    const wallNow = await readWall(page);
    const problems = [];
    if (wallNow.openTotal !== board.openTotal) {
      problems.push(`open total: wall ${wallNow.openTotal}, board ` +
                    `${board.openTotal}`);
    }
    const boardOpen = (board.open || []).map((t) => t.id).sort();
    if (JSON.stringify(boardOpen) !== JSON.stringify(wallNow.tickets)) {
      problems.push(`open tickets: wall ${wallNow.tickets}, board ${boardOpen}`);
    }
    for (const m of board.municipalities || []) {
      const w = wallNow.municipalities[m.id] || {};
      for (const key of ['createdToday', 'resolvedToday', 'firstResponsesToday',
                         'firstResponsesMetToday']) {
        if ((w[key] || 0) !== (m[key] || 0)) {
          problems.push(`${m.id} ${key}: wall ${w[key]}, board ${m[key]}`);
        }
      }
    }
    if (problems.length) {
      fail('the wall differs from GET /api/v1/dashboard: ' +
           problems.join('; '));
    }
    ok('the wall\'s figures equal GET /api/v1/dashboard\'s board');

    await sleep(300);
    checkErrors('at the end');
    ok('no console errors and no page errors');
    succeeded = true;
  } finally {
    if (!succeeded && errors.length) {
      log(`the page's console errors: ${errors.join(' | ')}`);
    }
    if (page) {
      const shot = path.join(artifacts, 'dashboard.png');
      await page.screenshot({path: shot}).then(
          () => log(`screenshot: ${shot}`), () => {});
    }
    if (browser) await browser.close().catch(() => {});
    await daemon.stop().catch(() => {});
    if (succeeded) {
      await fsp.rm(dataDir, {recursive: true, force: true});
    } else {
      log(`kept for a look: ${dataDir}; daemon logs in ${artifacts}`);
    }
  }
}

const watchdog = setTimeout(() => {
  log(`FAIL the whole test took over ${kWholeTestMs / 1000} s`);
  if (running) running.kill();
  process.exit(1);
}, kWholeTestMs);

main().then(
    () => {
      clearTimeout(watchdog);
      console.log(`dashboard: ${tally.passed} passed, 0 failed`);
      process.exit(0);
    },
    (error) => {
      clearTimeout(watchdog);
      log(`FAIL ${error instanceof Failure ? error.message : error.stack}`);
      console.log(`dashboard: ${tally.passed} passed, 1 failed`);
      process.exit(1);
    });

// What the browser tests need around the pages themselves: reporting, the
// daemon as a child process on a scratch data directory, API calls, the
// first start's accounts, the browser, browser contexts (desktop and
// phone), a watch on each page's console, axe-core, and keyboard walks
// that check the focus ring at every stop. pages.test.mjs (the employee
// portal and the agent view) uses all of it; dashboard.test.mjs the
// reporting, the daemon, the API, the browser and serving files.

import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {chromium, devices} from 'playwright-core';

const require = createRequire(import.meta.url);

export const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.resolve(
    process.env.HELPDESK_ARTIFACTS || path.join(here, 'artifacts'));
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const webDir = process.env.HELPDESK_WEB_DIR || '';

export const kStepTimeoutMs = 15000;  // any wait without a limit of its own

// ------------------------------------------------------------ reporting

const started = Date.now();
export const tally = {passed: 0, failed: []};

export function log(message) {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[${s}s] ${message}`);
}

export function ok(message) {
  tally.passed += 1;
  log(`ok   ${message}`);
}

export class Failure extends Error {}

// A failure that ends the test: what follows depends on it.
export function fail(message) {
  throw new Failure(message);
}

// A failure that is counted (the test exits 1) while the run goes on, so
// one run reports every accessibility and console problem, not the first.
export function softFail(message) {
  tally.failed.push(message);
  log(`FAIL ${message}`);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ------------------------------------------------------------ the daemon

// Its log goes to <artifacts>/<logName>-<run>.log, a file per start.
export class Daemon {
  constructor(binary, dataDir, extraArgs = [],
              {logName = 'pages-daemon'} = {}) {
    this.binary = binary;
    this.dataDir = dataDir;
    this.extraArgs = extraArgs;
    this.logName = logName;
    this.child = null;
    this.port = 0;
    this.runs = 0;
  }

  async start(port = 0) {
    const portFile = path.join(this.dataDir, 'port');
    await fsp.rm(portFile, {force: true});
    this.runs += 1;
    const logPath = path.join(artifacts, `${this.logName}-${this.runs}.log`);
    const logFile = fs.openSync(logPath, 'w');
    this.logPath = logPath;
    this.child = spawn(this.binary, [
      '--port', String(port), '--data-dir', this.dataDir,
      '--port-file', portFile, '--password-cost=minimum', '--rate-limit=0',
      '--address-rate-limit=0', '--log-level', 'warn', ...this.extraArgs,
    ], {stdio: ['ignore', logFile, logFile]});
    fs.closeSync(logFile);
    let exited = null;
    this.child.once('exit', (code, signal) => {
      exited = {code, signal};
    });
    this.child.once('error', (error) => {
      exited = {error: error.message};
    });
    const deadline = Date.now() + 30000;
    for (;;) {
      if (exited) {
        fail(`helpdeskd exited at start (${JSON.stringify(exited)}); ` +
             `see ${logPath}`);
      }
      const text = await fsp.readFile(portFile, 'utf8').catch(() => '');
      const n = Number.parseInt(text.trim(), 10);
      if (n > 0) {
        this.port = n;
        return n;
      }
      if (Date.now() > deadline) fail(`no port file after 30 s; see ${logPath}`);
      // The daemon writes the port file once it listens: nothing to wait
      // on but the file itself.
      await sleep(50);
    }
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    await exit;
    clearTimeout(timer);
  }

  kill() {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  url(p) {
    return `http://127.0.0.1:${this.port}${p}`;
  }
}

// One API call; fails the test with the request and answer unless the
// status is one of `expect`.
export async function api(daemon, method, p,
                          {token, body, expect = [200, 201]} = {}) {
  const headers = {'accept': 'application/json'};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(daemon.url(p), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answeredAt = Date.now();
  const text = await res.text();
  if (!expect.includes(res.status)) {
    fail(`${method} ${p} ${body ? JSON.stringify(body) : ''} answered ` +
         `${res.status}: ${text.slice(0, 500)}`);
  }
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    fail(`${method} ${p}: not JSON: ${text.slice(0, 200)}`);
  }
  return {status: res.status, json, answeredAt, headers: res.headers};
}

// The first start's accounts: Map account -> {roles: [...], password}.
export async function firstAccounts(dataDir) {
  const text = await fsp.readFile(
      path.join(dataDir, 'first-start-credentials.txt'), 'utf8');
  const accounts = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [account, roles, password] = line.split('\t');
    if (account && password) {
      accounts.set(account, {roles: (roles || '').split(','), password});
    }
  }
  return accounts;
}

export async function apiLogin(daemon, account, password) {
  const {json} = await api(daemon, 'POST', '/api/v1/session',
                           {body: {account, password}});
  if (!json || !json.token) fail(`the login of ${account} gave no token`);
  return json.token;
}

// ------------------------------------------------------------ the browser

export async function launchBrowser() {
  if (!fs.existsSync(chromiumPath)) {
    fail(`no browser at ${chromiumPath} (apt-get install chromium)`);
  }
  // A page answered by route.fulfill has no address, so Chromium's local
  // network access checks would keep it from the daemon's API.
  const args = ['--no-sandbox'];
  if (webDir) args.push('--disable-features=LocalNetworkAccessChecks');
  return chromium.launch({executablePath: chromiumPath, args});
}

export const kDesktop = {viewport: {width: 1280, height: 800}};

// The phone as Playwright's descriptor has it (375x667 CSS px at 2x, a
// mobile viewport with touch), with Chromium's own user agent: the
// descriptor's is Safari's, and this is Chromium.
const phoneDevice = devices['iPhone SE (3rd gen)'];
export const kPhone = {
  viewport: phoneDevice.viewport,
  deviceScaleFactor: phoneDevice.deviceScaleFactor,
  isMobile: phoneDevice.isMobile,
  hasTouch: phoneDevice.hasTouch,
};

const kTypes = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

// Answers a routed request with `file` from `dir` (HELPDESK_WEB_DIR: try
// an edit without a rebuild) and `headers` besides its type; 404 when the
// folder has no such file.
export async function fulfillFile(route, dir, file, headers = {}) {
  try {
    const body = await fsp.readFile(path.join(dir, path.basename(file)));
    await route.fulfill({
      status: 200,
      headers: {
        ...headers,
        'content-type': kTypes[file.split('.').pop()] ||
            'application/octet-stream',
      },
      body,
    });
  } catch {
    await route.fulfill({status: 404, body: ''});
  }
}

// The portal's and the agent view's files from `dir`, with the headers the
// daemon sends for its own copies.
async function serveFrom(context, dir, headers) {
  await context.route(
      (url) => url.pathname === '/' || url.pathname === '/agent' ||
          url.pathname.startsWith('/assets/'),
      async (route) => {
        const {pathname} = new URL(route.request().url());
        const file = pathname === '/' ? 'portal.html' :
            pathname === '/agent'     ? 'agent.html' :
                                        pathname.slice('/assets/'.length);
        await fulfillFile(route, dir, file, headers);
      });
}

// ------------------------------------------------------------ the console

const kFailedResource =
    /^Failed to load resource: the server responded with a status of (\d{3}) \([^)]*\)$/;

// Every console error and warning and every uncaught exception of a page
// is a problem, except Chromium's one line for a response the test asked
// for on purpose: expect({status, path}) allows that line, once, for
// exactly that status at exactly that path.
export class ConsoleWatch {
  constructor(page, name) {
    this.name = name;
    this.problems = [];
    this.expected = [];
    this.allowedSeen = [];
    page.on('console', (message) => {
      const type = message.type();
      if (type !== 'error' && type !== 'warning') return;
      const text = message.text();
      const where = (message.location() && message.location().url) || '';
      const m = kFailedResource.exec(text);
      if (m && type === 'error') {
        let pathname = '';
        try {
          pathname = new URL(where).pathname;
        } catch {
          pathname = '';
        }
        const i = this.expected.findIndex(
            (e) => e.status === Number(m[1]) && e.path === pathname);
        if (i >= 0) {
          const [e] = this.expected.splice(i, 1);
          this.allowedSeen.push(`${e.status} ${e.path} (${e.why})`);
          return;
        }
      }
      const problem = `${name}: console ${type}: ${text}${where ? ` @ ${where}` : ''}`;
      this.problems.push(problem);
      log(`     ${problem}`);
    });
    page.on('pageerror', (error) => {
      const problem = `${name}: uncaught ${error.name}: ${error.message}`;
      this.problems.push(problem);
      log(`     ${problem}`);
    });
  }

  expect(status, pathname, why) {
    this.expected.push({status, path: pathname, why});
  }
}

// A browser context and its page: desktop or phone, the daemon's frozen
// clock as the page's clock too, the console watched, and the websocket
// frames kept (to show what reached this page).
export async function openPage(browser, daemon, name,
                               {device = kDesktop, clockAt, headers,
                                neverShown = []} = {}) {
  const context = await browser.newContext({...device, locale: 'nb-NO',
                                            timezoneId: 'Europe/Oslo'});
  // The pages count deadlines from Date.now() (set off by the daemon's
  // "now"): with the daemon's clock frozen, the page's stands still too,
  // so countdowns and screenshots do not depend on how long a run takes.
  // Only Date is fixed; timers run.
  if (clockAt) await context.clock.setFixedTime(new Date(clockAt));
  if (webDir) await serveFrom(context, webDir, headers || {});
  if (neverShown.length) await context.addInitScript(noteTexts, neverShown);
  const page = await context.newPage();
  const watch = new ConsoleWatch(page, name);
  const frames = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({payload}) => {
      if (typeof payload === 'string') frames.push(payload);
    });
  });
  return {name, context, page, watch, frames, daemon};
}

// Run in the page before its own scripts (an init script, which the CSP
// does not govern): notes in window.helpdeskSeen each of `texts` that any
// text node, element or attribute of the document ever holds, however
// briefly. shownTexts(page) reads them.
function noteTexts(texts) {
  window.helpdeskSeen = [];
  const note = (value) => {
    if (!value) return;
    for (const t of texts) {
      if (value.includes(t) && !window.helpdeskSeen.includes(t)) {
        window.helpdeskSeen.push(t);
      }
    }
  };
  const check = (node) => {
    if (node.nodeType === Node.TEXT_NODE) note(node.data);
    else if (node.nodeType === Node.ELEMENT_NODE) note(node.outerHTML);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') r.addedNodes.forEach(check);
      else if (r.type === 'characterData') note(r.target.data);
      else if (r.type === 'attributes') note(r.target.getAttribute(r.attributeName));
      note(r.oldValue);  // a value set and changed again before we looked
    }
  }).observe(document, {subtree: true, childList: true, characterData: true,
                        attributes: true, characterDataOldValue: true,
                        attributeOldValue: true});
}

export function shownTexts(page) {
  return page.evaluate(() => window.helpdeskSeen || null);
}

// Waits until `predicate` (run in the page) holds; fails with `what`.
export async function waitInPage(page, what, predicate, arg,
                                 timeout = kStepTimeoutMs) {
  try {
    await page.waitForFunction(predicate, arg, {timeout, polling: 'raf'});
  } catch (e) {
    const title = await page.title().catch(() => '?');
    fail(`${what}: not within ${timeout} ms (page "${title}" at ` +
         `${page.url()})`);
  }
}

export async function waitVisible(locator, what, timeout = kStepTimeoutMs) {
  try {
    await locator.first().waitFor({state: 'visible', timeout});
  } catch {
    fail(`${what}: not visible within ${timeout} ms; ` +
         `the page then: ${await describePage(locator.page())}`);
  }
}

// What a page shows, for a failure's message: its address, heading, view
// and any problem or status text on it.
export async function describePage(page) {
  try {
    return JSON.stringify(await page.evaluate(() => {
      const text = (node) => (node ? node.textContent.trim().slice(0, 200) : '');
      const view = document.querySelector('#view-host > [data-view]');
      return {
        url: location.href,
        heading: text(document.getElementById('page-title')),
        view: view ? view.dataset.view : '',
        problems: [...document.querySelectorAll('[role="alert"], .problem')]
                      .filter((n) => n.offsetParent !== null)
                      .map(text).filter(Boolean),
        live: text(document.querySelector('[data-testid="conn"]')),
      };
    }));
  } catch (error) {
    return `(not readable: ${error.message})`;
  }
}

export function waitLive(page, what) {
  return waitVisible(page.locator('[data-testid="conn"][data-live="true"]'),
                     `${what}: the page's stream is live`);
}

// ------------------------------------------------------------ axe-core

const axePath = require.resolve('axe-core/axe.min.js');
const axeSource = fs.readFileSync(axePath, 'utf8');
export const kAxeVersion = '4.14.1';
export const kAxeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const axeRuns = [];

// axe-core in the page as it is. The page's CSP (script-src 'self', no
// 'unsafe-inline') refuses an inline <script>, which is what
// page.addScriptTag({content}) and even addScriptTag({path}) insert, and
// bypassCSP would test the pages under no policy at all. The DevTools
// protocol's evaluation (page.evaluate of the source) is not subject to the
// page's CSP, so axe runs in the page under its real policy, and a CSP
// violation of the page's own would still show as a console error.
export async function axeCheck(page, label) {
  const t0 = Date.now();
  // The source itself is the expression evaluated (an eval() inside the
  // page would need 'unsafe-eval'); once per document.
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    await page.evaluate(axeSource);
  }
  const version = await page.evaluate(() => window.axe && window.axe.version);
  if (version !== kAxeVersion) {
    fail(`axe-core in the page is ${version}, package.json pins ${kAxeVersion}`);
  }
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: {type: 'tag', values: tags},
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        summary: (n.failureSummary || '').replace(/\s+/g, ' ').trim(),
      })),
    }));
  }, kAxeTags);
  axeRuns.push({label, violations: violations.length});
  if (!violations.length) {
    ok(`axe ${kAxeVersion} (${kAxeTags.join(', ')}): no violations in ` +
       `${label} (${Date.now() - t0} ms)`);
    return;
  }
  const lines = [];
  for (const v of violations) {
    lines.push(`  ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) lines.push(`      ${n.target}: ${n.summary}`);
  }
  softFail(`axe: ${violations.length} violation(s) in ${label}:\n` +
           lines.join('\n'));
}

// ------------------------------------------------------------ keyboard

// The focused element as a keyboard user sees it: what it is, and whether
// its focus is visible (an outline that is not none and wider than 0, or a
// box-shadow ring, on it or, for a radio or checkbox, on its label, which
// is where the pages draw it), inside the viewport and not covered.
export function focusState(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body || a === document.documentElement) {
      return {body: true, desc: 'body'};
    }
    const ring = (node) => {
      const cs = getComputedStyle(node);
      const width = Number.parseFloat(cs.outlineWidth) || 0;
      const parts = [];
      if (cs.outlineStyle !== 'none' && width > 0) {
        parts.push(`outline ${cs.outlineStyle} ${cs.outlineWidth}`);
      }
      if (cs.boxShadow && cs.boxShadow !== 'none') {
        parts.push(`box-shadow ${cs.boxShadow}`);
      }
      return parts.join(', ');
    };
    let holder = a;
    let how = ring(a);
    if (!how && (a.type === 'radio' || a.type === 'checkbox')) {
      const label = a.closest('label');
      if (label) {
        holder = label;
        how = `${ring(label)} on its label`;
        if (!ring(label)) how = '';
      }
    }
    const r = holder.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    // The part of it in the viewport.
    const top = Math.max(r.top, 0);
    const bottom = Math.min(r.bottom, vh);
    const left = Math.max(r.left, 0);
    const right = Math.min(r.right, vw);
    const seen = bottom > top && right > left;
    // A text field shows where one types: the browser scrolls its caret
    // (top line) into view, not the whole of a tall textarea; anything
    // else that fits must be wholly in view.
    const textEntry = a.tagName === 'TEXTAREA' || a.isContentEditable ||
        (a.tagName === 'INPUT' &&
         !['radio', 'checkbox', 'button', 'submit', 'reset', 'range', 'color',
           'file', 'image'].includes(a.type));
    const fits = r.height <= vh && r.width <= vw;
    const inside = seen && r.width > 0 && r.height > 0 &&
        (textEntry ? r.top >= 0 && r.left >= 0 && r.right <= vw &&
                         r.top + Math.min(r.height, 24) <= vh :
         fits      ? r.top >= 0 && r.left >= 0 && r.bottom <= vh && r.right <= vw :
                     true);
    // Not covered: what is drawn at the middle of its visible part is the
    // element (or inside it).
    const cx = seen ? (left + right) / 2 : 0;
    const cy = seen ? (top + bottom) / 2 : 0;
    const hit = seen ? document.elementFromPoint(cx, cy) : null;
    const uncovered = Boolean(hit && (holder.contains(hit) || a.contains(hit)));
    const text = (a.getAttribute('aria-label') || a.innerText || a.value || '')
                     .replace(/\s+/g, ' ').trim().slice(0, 40);
    const tag = a.tagName.toLowerCase();
    return {
      body: false,
      tag,
      id: a.id,
      type: a.type || '',
      name: a.name || '',
      value: a.value || '',
      text,
      href: a.getAttribute('href') || '',
      skip: a.classList.contains('skip-link'),
      geometry: `at ${Math.round(r.left)},${Math.round(r.top)} to ` +
          `${Math.round(r.right)},${Math.round(r.bottom)} in ${vw}x${vh}` +
          `${hit && !uncovered ? `; on top: ${hit.tagName.toLowerCase()}` +
                                 `${hit.id ? `#${hit.id}` : ''}` : ''}`,
      ring: how,
      inside,
      uncovered,
      desc: `${tag}${a.id ? `#${a.id}` : ''}${a.type && tag === 'input' ? `[${a.type}]` : ''}` +
          `${text ? ` "${text}"` : ''}`,
    };
  });
}

// The checks of one Tab stop (soft: the walk goes on to report them all).
function checkStop(label, state) {
  if (state.body) return true;
  const problems = [];
  if (!state.ring) problems.push('no visible focus ring (outline none or 0 wide, no box-shadow)');
  if (!state.inside) problems.push('not inside the viewport');
  if (!state.uncovered) problems.push('covered by another element');
  if (problems.length) {
    softFail(`${label}: focus on ${state.desc}: ${problems.join('; ')}` +
             ` (${state.geometry})`);
    return false;
  }
  return true;
}

// Presses Tab (Shift+Tab with shift) until `want(state)` holds, checking
// the focus at every stop; fails after `max` presses.
export async function tabUntil(page, label, want, {max = 60, shift = false} = {}) {
  const stops = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    const state = await focusState(page);
    stops.push(state.desc);
    checkStop(label, state);
    if (want(state)) return {state, stops};
  }
  fail(`${label}: not reached with ${max} presses of ${shift ? 'Shift+Tab' : 'Tab'}; ` +
       `the stops: ${stops.join(' > ')}`);
}

// The whole Tab order of the page as it stands, from where focus is: on
// to the end (focus leaves the document: the body, where a browser would
// go on to its own toolbar), then once round from the first stop (which
// must be the skip link) to the end again. Every stop must show its focus;
// a walk that never gets out within `max` presses is a keyboard trap.
// Shift+Tab from the first stop must leave the document as well.
export async function tabCycle(page, label, {max = 120} = {}) {
  // At least one press: a page whose focus was just blurred is on the
  // body too, with its Tab order going on from the blurred element.
  let presses = 0;
  let state = {body: false};
  const seen = [];
  while (!state.body) {
    if (presses >= max) {
      fail(`${label}: keyboard trap: Tab did not leave the page within ${max} ` +
           `presses; the last stops: ${seen.slice(-12).join(' > ')}`);
    }
    await page.keyboard.press('Tab');
    presses += 1;
    state = await focusState(page);
    seen.push(state.desc);
    checkStop(label, state);
  }
  const round = [];
  let good = 0;
  for (;;) {
    if (round.length >= max) {
      fail(`${label}: keyboard trap: a round of Tab did not end within ${max} ` +
           `presses; the last stops: ${round.slice(-12).join(' > ')}`);
    }
    await page.keyboard.press('Tab');
    state = await focusState(page);
    if (state.body) break;
    if (!round.length && !state.skip) {
      softFail(`${label}: the first Tab stop is ${state.desc}, not the skip link`);
    }
    round.push(state.desc);
    if (checkStop(label, state)) good += 1;
  }
  if (!round.length) fail(`${label}: no Tab stop at all`);
  // Back to the first stop, and Shift+Tab out of the page from there.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  state = await focusState(page);
  if (!state.body) {
    fail(`${label}: Shift+Tab from the first stop stayed in the page ` +
         `(on ${state.desc})`);
  }
  ok(`${label}: Tab goes round ${round.length} stops and out of the page ` +
     `(Shift+Tab too); focus visible at ${good} of ${round.length}`);
  return round;
}

// ------------------------------------------------------------ screenshots

export async function screenshot(page, file, options = {}) {
  const dirs = [artifacts];
  if (process.env.HELPDESK_SCREENSHOTS_DIR) {
    dirs.push(path.resolve(process.env.HELPDESK_SCREENSHOTS_DIR));
  }
  const written = [];
  for (const dir of dirs) {
    await fsp.mkdir(dir, {recursive: true});
    const target = path.join(dir, file);
    await page.screenshot({path: target, animations: 'disabled',
                           caret: 'hide', ...options});
    written.push(target);
  }
  return written;
}

// The employee portal (/) and the agent view (/agent) in a real browser
// (headless Chromium from Debian's package, driven by playwright-core): the
// daemon started here on a fresh data directory with its clock frozen on a
// Tuesday at 10:00 in Oslo, and then what the pages are for:
//
//   - an employee of Tinn logs in, finds the service by a sentence in
//     nynorsk, and files a ticket with the keyboard only (the empty form
//     first: errors at the fields, focus on the first, a summary);
//   - the agent dispatch gives it to, logged in beforehand on a phone, has
//     it in their queue within a second, without a reload; opens it, writes
//     an internal note and a public reply and moves its status;
//   - the employee's page shows the reply and the status by itself and
//     never the note, in its text, its DOM or its websocket frames;
//   - a dispatcher takes an unassigned ticket with the keyboard only, and
//     finds it by two words of its text in other forms;
//   - a Rollag employee gets "Fant ikke saken" for the Tinn ticket;
//   - a colleague added as follower sees it in "Mine saker"; an unknown
//     user name is an error at the field;
//   - no console error or warning on any page (but Chromium's line for the
//     requests refused on purpose), axe-core (WCAG 2.0/2.1 A and AA) clean
//     in every state, focus visible at every Tab stop, no keyboard trap;
//   - the security headers, and a cookie-authenticated POST without the
//     CSRF token refused;
//   - screenshots portal-desktop.png and agent-phone.png.
//
//   node pages.test.mjs /path/to/helpdeskd     (or HELPDESKD=...)
//
// Environment: HELPDESK_ARTIFACTS (screenshots and the daemon's log;
// default ./artifacts beside this file), HELPDESK_SCREENSHOTS_DIR (also
// write the two screenshots there, e.g. docs/screenshots), CHROMIUM
// (default /usr/bin/chromium), HELPDESK_WEB_DIR (serve the pages from this
// folder, e.g. daemon/web, instead of the daemon's embedded copy, with the
// daemon's headers: try an edit of the pages without a rebuild).
// Exits 0 when every check passed, 1 otherwise (every failed check listed).

import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  api, apiLogin, artifacts, axeCheck, axeRuns, Daemon, fail, Failure,
  firstAccounts, kDesktop, kPhone, kStepTimeoutMs, launchBrowser, log, ok,
  openPage, screenshot, shownTexts, softFail, tabCycle, tabUntil, tally,
  waitInPage,
  waitLive, waitVisible,
} from './harness.mjs';

const daemonPath = process.argv[2] || process.env.HELPDESKD || '';

// Tuesday 14 April 2026, 10:00 in Oslo (CEST): a working day, everyone at
// work, so dispatch assigns at once. Frozen: it moves only if told to,
// which this test never does, so every run and screenshot is the same.
const kClock = '2026-04-14T08:00:00Z';
const kAppearMs = 1000;     // a new ticket is in the agent's queue within this
const kFollowMs = 5000;     // the employee sees the agent's changes within this
const kWholeTestMs = 240000;

const kColleague = {id: 'kollega.tinn', name: 'Kollega i Tinn',
                    password: 'kollega-passord-tinn-1'};
const kSearch = 'skrivaren verkar ikkje';  // nynorsk, as a sentence
const kService = {id: 'skrivere-og-utskrift', name: 'Skrivere og utskrift'};
const kTitle = 'Skriveren i 2. etasje skriver ikke ut';
const kDescription = 'Den blinker oransje og sier papirstopp, men det er ' +
    'ikke noe papir i den. Jeg har slått den av og på.';
const kNoteMark = 'garantisak 4711';
const kNote = `Internt: leverandøren har ${kNoteMark} på denne skriveren, ` +
    'ikke si det til brukeren ennå.';
const kReply = 'Hei! Vi ser på skriveren i dag og kommer innom før lunsj.';

let daemon = null;

function rowIn(page, list, id) {
  return page.locator(`[data-testid="${list}"] [data-testid="ticket-row"]` +
                      `[data-ticket-id="${id}"]`);
}

// The page's document still the one first loaded (hash routes only).
async function markLoaded(page) {
  await page.evaluate(() => {
    window.helpdeskNotReloaded = true;
  });
}

async function assertNotReloaded(page, what) {
  if (!(await page.evaluate(() => window.helpdeskNotReloaded === true))) {
    fail(`${what}: the page was reloaded`);
  }
}

async function noHorizontalScroll(page, what) {
  const {scroll, client} = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  if (scroll > client) {
    softFail(`${what}: scrolls sideways (${scroll} px wide in ${client} px)`);
  } else {
    ok(`${what}: no sideways scrolling at ${client} px`);
  }
}

// Logs in through the page's login form (clicks and fills: the keyboard
// has its own checks elsewhere).
async function formLogin(page, account, password, heading) {
  await waitVisible(page.getByRole('heading', {name: 'Logg inn'}),
                    `${account}: the login form`);
  await page.getByLabel('Brukernavn').fill(account);
  await page.getByLabel('Passord').fill(password);
  await page.getByRole('button', {name: 'Logg inn'}).click();
  await waitVisible(page.getByRole('heading', {name: heading}),
                    `${account}: "${heading}" after logging in`);
}

// ------------------------------------------------------------ headers

function parseCsp(text) {
  const directives = new Map();
  for (const part of (text || '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

async function checkHeaders() {
  for (const [p, type] of [['/', 'text/html'], ['/agent', 'text/html'],
                           ['/assets/portal.js', 'text/javascript'],
                           ['/assets/common.css', 'text/css']]) {
    const res = await fetch(daemon.url(p));
    await res.arrayBuffer();
    const h = (name) => res.headers.get(name) || '';
    const problems = [];
    if (res.status !== 200) problems.push(`status ${res.status}`);
    if (!h('content-type').startsWith(type)) {
      problems.push(`Content-Type "${h('content-type')}"`);
    }
    const cspText = h('content-security-policy');
    const csp = parseCsp(cspText);
    if (!cspText) problems.push('no Content-Security-Policy');
    if (/'unsafe-(inline|eval|hashes)'/.test(cspText)) {
      problems.push(`the CSP allows ${cspText.match(/'unsafe-[a-z]+'/)[0]}`);
    }
    const def = (csp.get('default-src') || []).join(' ');
    if (def !== "'none'" && def !== "'self'") {
      problems.push(`default-src "${def}"`);
    }
    for (const d of ['script-src', 'style-src']) {
      const values = csp.get(d) || csp.get('default-src') || [];
      if (values.some((v) => v === '*' || v.startsWith('http') || v === 'data:')) {
        problems.push(`${d} "${values.join(' ')}"`);
      }
    }
    if ((csp.get('frame-ancestors') || []).join(' ') !== "'none'") {
      problems.push(`frame-ancestors "${(csp.get('frame-ancestors') || []).join(' ')}"`);
    }
    if (h('x-content-type-options').toLowerCase() !== 'nosniff') {
      problems.push(`X-Content-Type-Options "${h('x-content-type-options')}"`);
    }
    const referrer = h('referrer-policy').toLowerCase();
    if (!['no-referrer', 'same-origin', 'strict-origin',
          'strict-origin-when-cross-origin'].includes(referrer)) {
      problems.push(`Referrer-Policy "${referrer}"`);
    }
    if (h('x-frame-options').toUpperCase() !== 'DENY') {
      problems.push(`X-Frame-Options "${h('x-frame-options')}"`);
    }
    if (problems.length) {
      softFail(`GET ${p}: ${problems.join('; ')}`);
    } else {
      ok(`GET ${p}: CSP without unsafe-*, default-src ${def}, ` +
         "frame-ancestors 'none'; nosniff; Referrer-Policy " +
         `${referrer}; X-Frame-Options DENY`);
    }
  }
  const res = await fetch(daemon.url('/'));
  await res.arrayBuffer();
  const keep = {};
  for (const name of ['content-security-policy', 'x-content-type-options',
                      'referrer-policy', 'x-frame-options', 'cache-control']) {
    if (res.headers.get(name)) keep[name] = res.headers.get(name);
  }
  return keep;
}

// ------------------------------------------------------------ the test

async function main() {
  if (!daemonPath) {
    fail('usage: node pages.test.mjs /path/to/helpdeskd (or HELPDESKD=)');
  }
  await fsp.mkdir(artifacts, {recursive: true});
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'helpdesk-pages-'));
  // No travel fallback: on-site work nobody local can do now waits in the
  // dispatcher's queue (no_local_staff), the unassigned ticket taken here.
  daemon = new Daemon(path.resolve(daemonPath), dataDir,
                      ['--clock-start', kClock, '--clock-frozen',
                       '--no-travel-fallback']);
  let browser = null;
  const pages = [];
  let succeeded = false;
  try {
    const port = await daemon.start(0);
    ok(`helpdeskd listens on ${port} (data ${dataDir}, clock frozen at ` +
       `${kClock}, Tuesday 10:00 in Oslo)`);
    const headers = await checkHeaders();

    // ---------------------------------------------------------- setup
    const accounts = await firstAccounts(dataDir);
    const password = (account) => {
      const found = accounts.get(account);
      if (!found) fail(`first-start-credentials.txt has no ${account}`);
      return found.password;
    };
    const admin = await apiLogin(daemon, 'admin', password('admin'));
    await api(daemon, 'POST', '/api/v1/accounts', {
      token: admin,
      body: {id: kColleague.id, name: kColleague.name, roles: ['employee'],
             municipality: 'tinn', password: kColleague.password},
    });
    const tinnSession = (await api(daemon, 'POST', '/api/v1/session', {
      body: {account: 'ansatt.tinn', password: password('ansatt.tinn')},
    })).json;
    const tinn = tinnSession.token;
    const tinnLocation = tinnSession.account && tinnSession.account.location;
    if (!tinnLocation) {
      fail(`ansatt.tinn has no location: ${JSON.stringify(tinnSession.account)}`);
    }

    // Who dispatch gives Tinn's printer tickets to: a first one filed over
    // the API (low, so the same person stays the reporter's last helper,
    // within the familiar margin); the one filed in the page goes to them.
    const probe = (await api(daemon, 'POST', '/api/v1/tickets', {
      token: tinn,
      body: {title: 'Skriveren på biblioteket trekker skjevt',
             description: 'Arkene kommer skjevt ut.', serviceId: kService.id,
             location: tinnLocation, priority: 'low'},
    })).json;
    const agentId = probe.assignee;
    if (probe.status !== 'assigned' || !agentId) {
      fail(`a Tinn printer ticket at Tuesday 10:00 was not assigned: ` +
           `${probe.status} ${JSON.stringify(probe.assignment)}`);
    }

    // Hjartdal's on-site work, with everyone who covers Hjartdal on a
    // course today: unassigned, in the dispatcher's queue.
    const staff = (await api(daemon, 'GET', '/api/v1/staff', {token: admin}))
                      .json.staff || [];
    const local = staff.filter((s) => (s.covers || []).includes('hjartdal'));
    if (!local.length) fail('no one covers Hjartdal in the demo registry');
    for (const s of local) {
      const {now: _now, ...record} = s;  // `now` is read-only
      record.absences = [...(s.absences || []),
                         {from: kClock.slice(0, 10), to: kClock.slice(0, 10),
                          kind: 'course', note: 'Kurs'}];
      await api(daemon, 'PUT', `/api/v1/staff/${s.id}`,
                {token: admin, body: record});
    }
    const hjartdal =
        await apiLogin(daemon, 'ansatt.hjartdal', password('ansatt.hjartdal'));
    const waiting = (await api(daemon, 'POST', '/api/v1/tickets', {
      token: hjartdal,
      body: {title: 'PC-en på legekontoret starter ikke',
             description: 'Skjermen er svart.',
             serviceId: 'brukerstotte-pa-stedet', priority: 'normal'},
    })).json;
    if (waiting.status !== 'new' || waiting.assignee) {
      fail(`the Hjartdal ticket should wait unassigned: ${waiting.status} ` +
           `${waiting.assignee} ${JSON.stringify(waiting.assignment)}`);
    }
    ok(`setup: ${kColleague.id} made; ticket ${probe.id} (Tinn, printers) ` +
       `went to ${agentId} (${probe.assignment.chosenBy}); ticket ` +
       `${waiting.id} (Hjartdal, on site) waits: ` +
       `${waiting.assignment.unassignedReason}`);

    browser = await launchBrowser();
    const open = async (name, device, neverShown = []) => {
      const p = await openPage(browser, daemon, name,
                               {device, clockAt: kClock, headers, neverShown});
      pages.push(p);
      return p;
    };

    // ---------------------------------------------------------- the agent, on a phone
    const A = await open(`agent ${agentId} (phone)`, kPhone);
    A.watch.expect(401, '/api/v1/session', 'who is logged in, before login');
    await A.page.goto(daemon.url('/agent'));
    await waitVisible(A.page.getByRole('heading', {name: 'Logg inn'}),
                      'the agent view\'s login form');
    await axeCheck(A.page, 'the agent login form (phone)');
    await formLogin(A.page, agentId, password(agentId), 'Køer');
    await waitLive(A.page, 'agent (phone)');
    await waitVisible(rowIn(A.page, 'my-queue', probe.id),
                      `ticket ${probe.id} in ${agentId}'s queue`);
    await markLoaded(A.page);
    ok(`${agentId} logged in on a phone (375x667, touch): ticket ` +
       `${probe.id} in "Mine saker", the stream live`);
    await axeCheck(A.page, 'the agent queues (phone)');
    await noHorizontalScroll(A.page, 'the agent queues (phone)');

    // ---------------------------------------------------------- a dispatcher takes the waiting ticket, keyboard only
    const D = await open('dispatcher kari.haugen (desktop)', kDesktop);
    D.watch.expect(401, '/api/v1/session', 'who is logged in, before login');
    await D.page.goto(daemon.url('/agent'));
    await formLogin(D.page, 'kari.haugen', password('kari.haugen'), 'Køer');
    await waitLive(D.page, 'dispatcher');
    const waitingRow = rowIn(D.page, 'unassigned-queue', waiting.id);
    await waitVisible(waitingRow, `ticket ${waiting.id} in "Ufordelte saker"`);
    const reason = await waitingRow.locator('.reason').innerText();
    if (!reason.includes('ingen på stedet')) {
      fail(`the waiting ticket's reason should be in Norwegian: "${reason}"`);
    }
    // A queue read whole says nothing of being cut (the end of this test
    // makes one that is).
    const wholeCount = (await D.page.locator('#unassigned-count').innerText())
                           .trim();
    if (!/^\(\d+\)$/.test(wholeCount) ||
        await D.page.locator('#unassigned-state').isVisible()) {
      fail(`"Ufordelte saker", read whole, counts "${wholeCount}" or shows ` +
           `a state line: "${await D.page.locator('#unassigned-state')
                                    .innerText()}"`);
    }
    ok(`kari.haugen sees ticket ${waiting.id} in "Ufordelte saker" ` +
       `("${reason.trim()}"), the queue counted ${wholeCount}, not cut`);
    await axeCheck(D.page, 'the agent queues (desktop, dispatcher)');

    // From the heading the login focused: Tab to the row's link, Enter;
    // Tab to "Ta saken", Space.
    await tabUntil(D.page, 'the dispatcher\'s queues',
                   (s) => s.href === `#/sak/${waiting.id}`);
    await D.page.keyboard.press('Enter');
    const takeButton = D.page.locator('#take-button');
    await waitVisible(takeButton, `"Ta saken" on ticket ${waiting.id}`);
    await tabUntil(D.page, `ticket ${waiting.id} (dispatcher)`,
                   (s) => s.id === 'take-button');
    await D.page.keyboard.press('Space');
    await waitInPage(D.page, 'the ticket taken: "Ta saken" gone, "(deg)"',
                     () => {
                       const form = document.getElementById('take-form');
                       const facts = document.getElementById('ticket-facts');
                       return form && form.hidden && facts &&
                           facts.textContent.includes('(deg)');
                     });
    const afterTake = await D.page.evaluate(() => document.activeElement.id);
    if (afterTake !== 'status-new') {
      softFail(`after taking, focus should move on to "Ny status", not ` +
               `#${afterTake}`);
    }
    const taken = (await api(daemon, 'GET', `/api/v1/tickets/${waiting.id}`,
                             {token: await apiLogin(daemon, 'kari.haugen',
                                                    password('kari.haugen'))}))
                      .json;
    if (taken.assignee !== 'kari.haugen' || taken.status !== 'assigned' ||
        taken.assignment.chosenBy !== 'taken') {
      fail(`ticket ${waiting.id} after the take: ${taken.status} ` +
           `${taken.assignee} ${taken.assignment.chosenBy}`);
    }
    ok(`kari.haugen took ticket ${waiting.id} with Tab, Enter and Space ` +
       `only (assigned to her, chosenBy taken; focus then on #${afterTake})`);
    await axeCheck(D.page, 'the agent ticket view (desktop)');
    await tabCycle(D.page, 'the agent ticket view (desktop)');

    // ---------------------------------------------------------- the dispatcher searches the tickets
    await D.page.evaluate(() => {
      location.hash = '#/';
    });
    const searchBox = D.page.getByLabel('Ord fra tittel eller beskrivelse');
    await waitVisible(searchBox, 'the agent\'s ticket search');
    await searchBox.fill('legekontor SKJERM');
    await searchBox.press('Enter');
    await waitVisible(rowIn(D.page, 'ticket-search-results', waiting.id),
                      `ticket ${waiting.id} found by "legekontor SKJERM"`);
    const hits = await D.page.locator(
        '[data-testid="ticket-search-results"] [data-testid="ticket-row"]')
        .count();
    if (hits !== 1) {
      fail(`"legekontor SKJERM" should find ticket ${waiting.id} alone, ` +
           `not ${hits} tickets`);
    }
    await axeCheck(D.page, 'the agent ticket search (desktop)');
    ok(`kari.haugen found ticket ${waiting.id} ("PC-en på legekontoret ` +
       `starter ikke", "Skjermen er svart.") by "legekontor SKJERM"`);

    // ---------------------------------------------------------- the employee files a ticket, keyboard only
    const E = await open('employee ansatt.tinn (desktop)', kDesktop, [kNoteMark]);
    E.watch.expect(401, '/api/v1/session', 'who is logged in, before login');
    await E.page.goto(daemon.url('/'));
    await waitVisible(E.page.getByRole('heading', {name: 'Logg inn'}),
                      'the portal\'s login form');
    await axeCheck(E.page, 'the portal login form (desktop)');
    await tabUntil(E.page, 'the login form', (s) => s.id === 'login-account');
    await E.page.keyboard.type('ansatt.tinn');
    await tabUntil(E.page, 'the login form', (s) => s.id === 'login-password',
                   {max: 1});
    await E.page.keyboard.type(password('ansatt.tinn'));
    await tabUntil(E.page, 'the login form',
                   (s) => s.tag === 'button' && s.text === 'Logg inn', {max: 1});
    await E.page.keyboard.press('Enter');
    await waitVisible(E.page.getByRole('heading', {name: 'Mine saker'}),
                      'the employee\'s "Mine saker"');
    await waitVisible(rowIn(E.page, 'my-tickets', probe.id),
                      `ticket ${probe.id} in the employee's "Mine saker"`);
    await waitLive(E.page, 'employee');
    await markLoaded(E.page);
    ok('ansatt.tinn logged in with the keyboard; "Mine saker" lists ticket ' +
       `${probe.id}`);
    await axeCheck(E.page, 'the portal home with tickets (desktop)');

    await tabUntil(E.page, '"Mine saker"',
                   (s) => s.tag === 'a' && s.href === '#/ny');
    await E.page.keyboard.press('Enter');
    await waitVisible(E.page.getByRole('heading', {name: 'Meld en sak'}),
                      '"Meld en sak"');
    await waitInPage(E.page, 'the places of Tinn in "Sted"', () => {
      const s = document.getElementById('ticket-location');
      return s && s.dataset.filled === 'true';
    });
    const place = await E.page.locator('#ticket-location').inputValue();
    if (place !== tinnLocation) {
      fail(`"Sted" should start at the employee's own place ` +
           `${tinnLocation}, not "${place}"`);
    }
    ok(`"Meld en sak" by keyboard; "Sted" starts at the account's location ` +
       `(${tinnLocation})`);
    await axeCheck(E.page, 'the new-ticket form, initial (desktop)');

    // Sent empty, with the keyboard: errors at the fields, focus on the
    // first, a summary that is announced.
    await tabUntil(E.page, 'the new-ticket form',
                   (s) => s.tag === 'button' && s.text === 'Send saken');
    await E.page.keyboard.press('Enter');
    await waitInPage(E.page, 'the error summary of the empty form', () => {
      const s = document.querySelector('#new-ticket [data-error-summary]');
      return s && s.querySelectorAll('a').length > 0;
    });
    const errors = await E.page.evaluate(() => {
      const form = document.getElementById('new-ticket');
      const summary = form.querySelector('[data-error-summary]');
      const fields = ['service-search', 'ticket-title', 'ticket-description']
                         .map((id) => {
        const control = document.getElementById(id);
        const described = (control.getAttribute('aria-describedby') || '')
                              .split(/\s+/).filter(Boolean);
        const errors = described.map((d) => document.getElementById(d))
                           .filter((n) => n && n.classList.contains('field-error'));
        const error = errors[0];
        return {
          id,
          invalid: control.getAttribute('aria-invalid'),
          errorText: error ? error.textContent.trim() : '',
          errorVisible: Boolean(error && error.offsetParent !== null),
          // next to it: in the same field, right before the control
          nextTo: Boolean(error && error.closest('.field') === control.closest('.field') &&
                          error.nextElementSibling === control),
        };
      });
      return {
        focus: document.activeElement.id,
        role: summary.getAttribute('role'),
        links: [...summary.querySelectorAll('a')].map((a) => a.getAttribute('href')),
        summaryText: summary.textContent.trim(),
        fields,
        otherInvalid: [...form.querySelectorAll('[aria-invalid="true"]')]
                          .map((n) => n.id)
                          .filter((id) => !['service-search', 'ticket-title',
                                            'ticket-description'].includes(id)),
      };
    });
    if (errors.focus !== 'service-search') {
      fail(`after sending the empty form focus should be on the first ` +
           `invalid field (#service-search), not #${errors.focus}`);
    }
    for (const f of errors.fields) {
      if (f.invalid !== 'true' || !f.errorText || !f.errorVisible || !f.nextTo) {
        fail(`#${f.id} after the empty send: aria-invalid=${f.invalid}, ` +
             `aria-describedby error "${f.errorText}" (visible ` +
             `${f.errorVisible}, next to the field ${f.nextTo})`);
      }
    }
    if (errors.role !== 'alert' ||
        JSON.stringify(errors.links) !==
            JSON.stringify(['#service-search', '#ticket-title',
                            '#ticket-description'])) {
      fail(`the error summary: role=${errors.role}, links ${errors.links}`);
    }
    if (errors.otherInvalid.length) {
      fail(`fields marked invalid that are not: ${errors.otherInvalid}`);
    }
    ok('the empty form sent with Enter: focus on the search field; ' +
       'service, title and description aria-invalid with their error ' +
       'beside them (aria-describedby); a role=alert summary links all three');
    await axeCheck(E.page, 'the new-ticket form with validation errors (desktop)');

    // The summary's links work from the keyboard: Shift+Tab back to the
    // last, Enter, and focus is on its field; then back to the search.
    await tabUntil(E.page, 'the error summary',
                   (s) => s.href === '#ticket-description', {max: 1, shift: true});
    await E.page.keyboard.press('Enter');
    await waitInPage(E.page, 'the summary\'s link moves focus to its field', () =>
      document.activeElement.id === 'ticket-description');
    await tabUntil(E.page, 'the new-ticket form', (s) => s.id === 'service-search',
                   {max: 8, shift: true});
    ok('the summary\'s link to "Beskriv problemet" moves focus there with Enter');

    // The search, typed as a sentence where focus went.
    const searched = E.page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname === '/api/v1/catalogue/services' &&
          u.searchParams.get('q') === kSearch;
    }, {timeout: kStepTimeoutMs});
    await E.page.keyboard.type(kSearch);
    const searchAnswer = await searched;
    if (searchAnswer.status() !== 200) {
      fail(`the search answered ${searchAnswer.status()}`);
    }
    await waitInPage(E.page, `"${kService.name}" first for «${kSearch}»`,
                     (name) => {
                       const first = document.querySelector(
                           '#search-results input[type="radio"]');
                       const label = first &&
                           document.getElementById(`${first.id}-name`);
                       return label && label.textContent === name;
                     }, kService.name, 3000);
    const found = await E.page.locator('#search-results .choice-title')
                      .allTextContents();
    ok(`«${kSearch}» finds ${found.length} services, "${found[0]}" first`);
    await axeCheck(E.page, 'the new-ticket form with search results (desktop)');

    await tabUntil(E.page, 'the search results',
                   (s) => s.type === 'radio' && s.name === 'serviceId', {max: 1});
    const firstRadio = await E.page.evaluate(() => document.activeElement.value);
    if (firstRadio !== kService.id) {
      fail(`Tab from the search went to the radio of ${firstRadio}`);
    }
    await E.page.keyboard.press('Space');
    await waitInPage(E.page, `"Valgt tjeneste: ${kService.name}"`, (name) =>
      document.getElementById('service-chosen').textContent ===
          `Valgt tjeneste: ${name}`, kService.name);
    await tabUntil(E.page, 'the new-ticket form', (s) => s.id === 'ticket-title');
    await E.page.keyboard.type(kTitle);
    await tabUntil(E.page, 'the new-ticket form',
                   (s) => s.id === 'ticket-description', {max: 1});
    await E.page.keyboard.type(kDescription);
    const priority = await tabUntil(E.page, 'the new-ticket form',
                                    (s) => s.name === 'priority', {max: 1});
    if (priority.state.value !== 'normal') {
      fail(`Tab into "Hvor mye haster det?" should land on the checked ` +
           `Normal, not ${priority.state.value}`);
    }
    await E.page.keyboard.press('ArrowDown');
    await waitInPage(E.page, 'ArrowDown moves to "Høy" and checks it', () => {
      const a = document.activeElement;
      return a && a.id === 'priority-high' && a.checked;
    });
    ok('service chosen with Space, title and description typed, priority ' +
       '"Høy" with ArrowDown: focus reached by Tab only');
    await tabUntil(E.page, 'the new-ticket form',
                   (s) => s.tag === 'button' && s.text === 'Send saken');
    const created = E.page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/api/v1/tickets' &&
            r.request().method() === 'POST',
        {timeout: kStepTimeoutMs});
    await E.page.keyboard.press('Enter');
    const createAnswer = await created;
    const answeredAt = Date.now();
    if (createAnswer.status() !== 201) {
      fail(`POST /api/v1/tickets answered ${createAnswer.status()}: ` +
           `${await createAnswer.text()}`);
    }
    const ticket = await createAnswer.json();
    const id = ticket.id;

    // On the phone, without a reload: within a second of the answer.
    try {
      await rowIn(A.page, 'my-queue', id).waitFor({state: 'visible',
                                                   timeout: 5000});
    } catch {
      fail(`ticket ${id} not in ${agentId}'s queue within 5 s`);
    }
    const appeared = Date.now() - answeredAt;
    await assertNotReloaded(A.page, 'agent (phone)');
    if (appeared > kAppearMs) {
      fail(`ticket ${id} appeared in ${agentId}'s queue ${appeared} ms after ` +
           `the answer (limit ${kAppearMs} ms)`);
    }
    ok(`ticket ${id} in ${agentId}'s queue on the phone ${appeared} ms after ` +
       'the POST\'s answer, without a reload');

    await waitVisible(E.page.getByRole('heading', {name: `Sak ${id}: ${kTitle}`}),
                      `the employee's page shows ticket ${id}`);
    await waitVisible(E.page.locator('#ticket-notice', {hasText: 'Saken er sendt'}),
                      'the notice "Saken er sendt"');
    await assertNotReloaded(E.page, 'employee');
    const filed = (await api(daemon, 'GET', `/api/v1/tickets/${id}`,
                             {token: tinn})).json;
    const want = {serviceId: kService.id, title: kTitle, description: kDescription,
                  priority: 'high', location: tinnLocation,
                  reporter: 'ansatt.tinn', status: 'assigned', assignee: agentId};
    const wrong = Object.entries(want).filter(([k, v]) => filed[k] !== v);
    if (wrong.length) {
      fail(`ticket ${id} as filed: ${wrong.map(([k, v]) =>
        `${k} ${JSON.stringify(filed[k])}, expected ${JSON.stringify(v)}`).join('; ')}`);
    }
    ok(`ticket ${id} filed as typed (service, title, description, high, ` +
       `${tinnLocation}) and assigned to ${agentId}; the page shows it`);

    // ---------------------------------------------------------- the agent works it
    await rowIn(A.page, 'my-queue', id).getByRole('link').tap();
    await waitVisible(A.page.getByRole('heading', {name: `Sak ${id}: ${kTitle}`}),
                      `ticket ${id} open on the phone`);
    await waitVisible(A.page.locator('#ticket-body'), `ticket ${id}'s body`);
    if (await A.page.locator('#take-button').isVisible()) {
      fail(`"Ta saken" is offered on ticket ${id}, already ${agentId}'s`);
    }
    if (!(await A.page.locator('#ticket-facts').innerText()).includes('(deg)')) {
      fail(`ticket ${id}'s facts should say it is the agent's own ("(deg)")`);
    }
    ok(`ticket ${id} opened on the phone: already ${agentId}'s, so no ` +
       '"Ta saken"');

    // The note first: every read the employee's page makes after it shows
    // the reply was made after the note existed.
    await A.page.getByLabel('Internt notat').fill(kNote);
    await A.page.getByRole('button', {name: 'Lagre internt notat'}).tap();
    await waitVisible(A.page.locator('[data-testid="comment"][data-visibility="internal"]',
                                     {hasText: kNoteMark}),
                      'the internal note in the agent\'s conversation');
    await A.page.getByLabel('Svar til innmelder').fill(kReply);
    await A.page.getByRole('button', {name: 'Send svar'}).tap();
    await waitVisible(A.page.locator('[data-testid="comment"][data-visibility="public"]',
                                     {hasText: kReply}),
                      'the reply in the agent\'s conversation');
    await A.page.getByLabel('Ny status').selectOption('in_progress');
    const moved = A.page.waitForResponse(
        (r) => new URL(r.url()).pathname === `/api/v1/tickets/${id}/status`,
        {timeout: kStepTimeoutMs});
    await A.page.getByRole('button', {name: 'Endre status'}).tap();
    const movedAnswer = await moved;
    const movedAt = Date.now();
    if (movedAnswer.status() !== 200) {
      fail(`the status change answered ${movedAnswer.status()}`);
    }
    await waitInPage(A.page, 'the agent\'s page says "under arbeid"', () =>
      document.getElementById('ticket-status').dataset.status === 'in_progress');
    ok(`${agentId} wrote an internal note and a reply and moved ticket ${id} ` +
       'to "under arbeid" on the phone');
    await axeCheck(A.page, 'the agent ticket view (phone)');
    await noHorizontalScroll(A.page, 'the agent ticket view (phone)');

    // ---------------------------------------------------------- the employee follows
    await waitInPage(E.page, 'the reply and "under arbeid" on the employee\'s page',
                     ([reply]) => {
                       const status = document.getElementById('ticket-status');
                       const list = document.getElementById('conversation');
                       return status && status.dataset.status === 'in_progress' &&
                           status.textContent === 'Status: under arbeid' &&
                           list && list.textContent.includes(reply);
                     }, [kReply], kFollowMs);
    const followed = Date.now() - movedAt;
    await assertNotReloaded(E.page, 'employee');
    const streamed = E.frames.some((f) => {
      try {
        const m = JSON.parse(f);
        return m.type === 'events' && m.events.some(
            (ev) => ev.ticketId === id && ev.statusChanged &&
                ev.statusChanged.to === 'in_progress');
      } catch {
        return false;
      }
    });
    if (!streamed) fail('the status change did not come over the employee\'s websocket');
    ok(`the employee's page shows the reply and "under arbeid" ${followed} ms ` +
       'after the change, from its websocket, without a reload');
    const leaks = await E.page.evaluate((mark) => ({
      seen: (window.helpdeskSeen || ['(not watched)']).join(', '),
      text: document.body.innerText.includes(mark),
      dom: document.documentElement.outerHTML.includes(mark),
      internal: document.querySelectorAll('[data-visibility="internal"]').length,
      comments: document.querySelectorAll('[data-testid="comment"]').length,
    }), kNoteMark);
    const framed = E.frames.filter((f) => f.includes(kNoteMark)).length;
    if (leaks.seen || leaks.text || leaks.dom || leaks.internal || framed) {
      fail(`the internal note reached the employee: at some moment ` +
           `"${leaks.seen}", in the text ${leaks.text}, ` +
           `the DOM ${leaks.dom}, internal comments ${leaks.internal}, ` +
           `websocket frames ${framed}`);
    }
    if (leaks.comments !== 1) {
      fail(`the employee should see one message (the reply), not ${leaks.comments}`);
    }
    ok('the internal note is nowhere on the employee\'s page (text, DOM, ' +
       `any DOM change ever, ${E.frames.length} websocket frames); one ` +
       'message, the reply');
    // IT staff by name where the daemon sends one (the comment's
    // authorName, the assignment's assigneeName), by account id where not.
    const seen = (await api(daemon, 'GET', `/api/v1/tickets/${id}`,
                            {token: tinn})).json;
    const replied = (seen.comments || []).find((c) => c.body === kReply) || {};
    const assigned = seen.assignment || {};
    const staffLabel = (name, account) => `${name || account}, IT-servicedesken`;
    const wantNames = {
      author: staffLabel(replied.authorName, agentId),
      assignee: staffLabel(assigned.assignee === seen.assignee &&
                               assigned.assigneeName, seen.assignee),
    };
    const shownNames = await E.page.evaluate(() => {
      const facts = [...document.querySelectorAll('#ticket-facts dt')];
      const row = facts.find((dt) => dt.textContent === 'Saksbehandler');
      const author = document.querySelector(
          '[data-testid="comment"] .comment-author');
      return {
        author: author ? author.textContent : '',
        assignee: row ? row.nextElementSibling.textContent : '',
      };
    });
    if (shownNames.author !== wantNames.author ||
        shownNames.assignee !== wantNames.assignee) {
      fail(`the employee's page names the reply's author ` +
           `"${shownNames.author}" and the Saksbehandler ` +
           `"${shownNames.assignee}", expected "${wantNames.author}" and ` +
           `"${wantNames.assignee}"`);
    }
    ok(`the employee's page names the author "${wantNames.author}" and the ` +
       `Saksbehandler "${wantNames.assignee}" (${replied.authorName ?
           'names from the daemon' : 'the daemon sends no names: ids'})`);
    await axeCheck(E.page, 'the portal ticket view (employee, desktop)');

    // The screenshots: the employee's ticket (the whole page) and the
    // agent's queues on the phone, back there by the menu (Enter on the
    // link: a tap would leave Chromium's fading tap highlight in the shot).
    await A.page.getByRole('link', {name: 'Køer'}).press('Enter');
    await waitVisible(A.page.locator(`[data-testid="my-queue"] ` +
                                     `[data-ticket-id="${id}"][data-status="in_progress"]`),
                      `ticket ${id} "under arbeid" in the phone's queue`);
    for (const p of [E.page, A.page]) {
      await p.evaluate(() => document.activeElement && document.activeElement.blur());
    }
    const shots = [
      ...await screenshot(E.page, 'portal-desktop.png', {fullPage: true}),
      ...await screenshot(A.page, 'agent-phone.png'),
    ];
    ok(`screenshots: ${shots.join(', ')}`);
    await tabCycle(E.page, 'the portal ticket view (employee)');

    // ---------------------------------------------------------- followers
    const followerInput = E.page.getByLabel('Legg til en kollega (brukernavn)');
    E.watch.expect(422, `/api/v1/tickets/${id}/followers`,
                   'an unknown colleague, on purpose');
    await followerInput.fill('finnes.ikke');
    await E.page.getByRole('button', {name: 'Legg til'}).click();
    await waitVisible(E.page.locator('#follower-account-error'),
                      'the error beside the follower field');
    const followerError = await E.page.evaluate(() => {
      const input = document.getElementById('follower-account');
      const error = document.getElementById('follower-account-error');
      return {
        text: error.textContent.trim(),
        invalid: input.getAttribute('aria-invalid'),
        described: (input.getAttribute('aria-describedby') || '').split(/\s+/),
        nextTo: error.nextElementSibling === input,
        focus: document.activeElement.id,
      };
    });
    if (!followerError.text.includes('Fant ingen kollega') ||
        followerError.invalid !== 'true' ||
        !followerError.described.includes('follower-account-error') ||
        !followerError.nextTo) {
      fail(`the unknown colleague's error: ${JSON.stringify(followerError)}`);
    }
    ok(`an unknown user name: "${followerError.text}" beside the field ` +
       '(aria-invalid, aria-describedby)');
    await axeCheck(E.page, 'the portal ticket view with a follower error (desktop)');
    await followerInput.fill(kColleague.id);
    await E.page.getByRole('button', {name: 'Legg til'}).click();
    await waitVisible(E.page.locator('#follower-list', {hasText: kColleague.id}),
                      `${kColleague.id} in the followers`);
    if (await E.page.locator('#follower-account-error').count()) {
      fail('the follower error stayed after a good name');
    }
    const withFollower = (await api(daemon, 'GET', `/api/v1/tickets/${id}`,
                                    {token: tinn})).json;
    if (JSON.stringify(withFollower.followers) !== JSON.stringify([kColleague.id])) {
      fail(`ticket ${id}'s followers: ${JSON.stringify(withFollower.followers)}`);
    }
    ok(`${kColleague.id} added as follower of ticket ${id}`);

    const K = await open(`colleague ${kColleague.id} (desktop)`, kDesktop);
    K.watch.expect(401, '/api/v1/session', 'who is logged in, before login');
    await K.page.goto(daemon.url('/'));
    await formLogin(K.page, kColleague.id, kColleague.password, 'Mine saker');
    const colleagueRow = rowIn(K.page, 'my-tickets', id);
    await waitVisible(colleagueRow, `ticket ${id} in ${kColleague.id}'s "Mine saker"`);
    if (await rowIn(K.page, 'my-tickets', probe.id).count()) {
      fail(`${kColleague.id} sees ticket ${probe.id}, which they do not follow`);
    }
    await colleagueRow.getByRole('link').click();
    await waitVisible(K.page.getByRole('heading', {name: `Sak ${id}: ${kTitle}`}),
                      `ticket ${id} opened by ${kColleague.id}`);
    await waitVisible(K.page.getByTestId('conversation').getByText(kReply),
                      `the reply, for ${kColleague.id}`);
    ok(`${kColleague.id} logged in sees ticket ${id} in "Mine saker" (and ` +
       `not ${probe.id}) and opens it`);

    // ---------------------------------------------------------- confirm
    // IT resolves the ticket, then writes an internal note: that moves its
    // version without the employee seeing it (no event reaches them), so
    // their page holds a version behind. "Ja, lukk saken" must still close
    // it: the page tries once more at the version the ticket has now.
    const agentToken = await apiLogin(daemon, agentId, password(agentId));
    const before = (await api(daemon, 'GET', `/api/v1/tickets/${id}`,
                              {token: agentToken})).json;
    await api(daemon, 'POST', `/api/v1/tickets/${id}/status`,
              {token: agentToken,
               body: {status: 'resolved', version: before.version}});
    const confirm = E.page.getByRole('button', {name: 'Ja, lukk saken'});
    await waitVisible(confirm, 'the employee is asked whether it is solved');
    await api(daemon, 'POST', `/api/v1/tickets/${id}/comments`,
              {token: agentToken,
               body: {body: 'Intern: toner byttet, sjekk fakturaen.',
                      visibility: 'internal'}});
    E.watch.expect(409, `/api/v1/tickets/${id}/status`,
                   'the version moved by an internal note the employee never sees');
    await confirm.click();
    await waitInPage(E.page, 'the ticket closed on the employee\'s page', () =>
      document.getElementById('ticket-status').dataset.status === 'closed');
    const confirmed = (await api(daemon, 'GET', `/api/v1/tickets/${id}`,
                                 {token: tinn})).json;
    if (confirmed.status !== 'closed') {
      fail(`ticket ${id} is ${confirmed.status} after "Ja, lukk saken"`);
    }
    ok(`"Ja, lukk saken" closed ticket ${id} although an internal note had ` +
       'moved its version meanwhile');

    // ---------------------------------------------------------- Rollag
    const R = await open('employee ansatt.rollag (desktop)', kDesktop,
                         [kTitle, kDescription]);
    R.watch.expect(401, '/api/v1/session', 'who is logged in, before login');
    R.watch.expect(404, `/api/v1/tickets/${id}`, 'another municipality\'s ticket');
    await R.page.goto(daemon.url(`/#/sak/${id}`));
    await formLogin(R.page, 'ansatt.rollag', password('ansatt.rollag'),
                    'Fant ikke saken');
    const rollag = await R.page.evaluate(([title, description]) => ({
      seen: window.helpdeskSeen,
      text: document.body.innerText,
      dom: document.documentElement.outerHTML.includes(title) ||
          document.documentElement.outerHTML.includes(description),
    }), [kTitle, kDescription]);
    if (!rollag.seen || rollag.seen.length || rollag.text.includes(kTitle) ||
        rollag.text.includes(kDescription) || rollag.dom ||
        R.frames.some((f) => f.includes(kTitle))) {
      fail(`ansatt.rollag saw ticket ${id}'s text (ever in the DOM: ` +
           `${rollag.seen})`);
    }
    if (!rollag.text.includes('Saken finnes ikke, eller du har ikke tilgang')) {
      fail(`the not-found view: "${rollag.text.slice(0, 300)}"`);
    }
    ok(`ansatt.rollag at /#/sak/${id}: "Fant ikke saken", and never its ` +
       'title or description');
    await axeCheck(R.page, 'the portal not-found view (desktop)');
    await R.page.getByRole('link', {name: 'Tilbake til Mine saker'}).click();
    await waitVisible(R.page.locator('#my-tickets-state',
                                     {hasText: 'Du har ikke meldt noen saker ennå'}),
                      'Rollag\'s empty "Mine saker"');
    ok('ansatt.rollag\'s "Mine saker" is empty');
    await axeCheck(R.page, 'the portal home, empty (desktop)');

    // ---------------------------------------------------------- CSRF
    // The page's own session (the HttpOnly cookie) without X-CSRF-Token.
    E.watch.expect(403, `/api/v1/tickets/${id}/comments`,
                   'a write without the CSRF token, on purpose');
    const csrf = await E.page.evaluate(async (ticketId) => {
      const res = await fetch(`/api/v1/tickets/${ticketId}/comments`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({body: 'Uten CSRF-token'}),
        credentials: 'same-origin',
      });
      let problem = null;
      try {
        problem = await res.json();
      } catch {
        problem = null;
      }
      return {status: res.status, field: problem && problem.field};
    }, id);
    if (csrf.status !== 403) {
      fail(`a cookie POST without X-CSRF-Token answered ${csrf.status}`);
    }
    const afterCsrf = (await api(daemon, 'GET', `/api/v1/tickets/${id}`,
                                 {token: tinn})).json;
    if ((afterCsrf.comments || []).some((c) => c.body === 'Uten CSRF-token')) {
      fail('the refused write was stored');
    }
    ok(`a cookie-authenticated POST without X-CSRF-Token: 403 ` +
       `(field ${csrf.field}), nothing stored`);

    const lateNote = await shownTexts(E.page);
    if (!lateNote || lateNote.length) {
      fail(`the internal note showed on the employee's page later on: ${lateNote}`);
    }

    // ---------------------------------------------------------- a click
    // A live event that would redraw the list between the mouse's press
    // and its release on a row: the redraw waits for the release, so the
    // click still opens that row's ticket (a list that rebuilt or moved
    // rows under the pointer would swallow it), and then comes.
    await E.page.evaluate(() => {
      location.hash = '#/';
    });
    const clicked = rowIn(E.page, 'my-tickets', id);
    const changed = rowIn(E.page, 'my-tickets', probe.id);
    await waitVisible(clicked, `ticket ${id} in the employee's "Mine saker"`);
    await waitVisible(changed, `ticket ${probe.id} in the employee's "Mine saker"`);
    const link = await clicked.getByRole('link').boundingBox();
    if (!link) fail(`ticket ${id}'s row has no link to press`);
    await E.page.mouse.move(link.x + link.width / 2, link.y + link.height / 2);
    await E.page.mouse.down();
    const probeNow = (await api(daemon, 'GET', `/api/v1/tickets/${probe.id}`,
                                {token: agentToken})).json;
    await api(daemon, 'POST', `/api/v1/tickets/${probe.id}/status`,
              {token: agentToken,
               body: {status: 'in_progress', version: probeNow.version}});
    await waitInPage(E.page, `the redraw for ticket ${probe.id} held while pressed`,
                     () => document.getElementById('my-tickets').dataset.held === 'true');
    if (await rowIn(E.page, 'my-tickets', probe.id)
            .and(E.page.locator('[data-status="in_progress"]')).count()) {
      fail('the list was redrawn while the mouse was pressed on it');
    }
    await E.page.mouse.up();
    await waitVisible(E.page.getByRole('heading', {name: `Sak ${id}: ${kTitle}`}),
                      `ticket ${id} opened by a click a redraw came in the middle of`);
    await E.page.evaluate(() => {
      location.hash = '#/';
    });
    await waitVisible(rowIn(E.page, 'my-tickets', probe.id)
                          .and(E.page.locator('[data-status="in_progress"]')),
                      `ticket ${probe.id}'s row "under arbeid" after the release`);
    ok(`a click on ticket ${id} in "Mine saker" opens it although the stream ` +
       `changed ticket ${probe.id} between press and release (the redraw waited)`);

    // ---------------------------------------------------------- a queue too long to show whole
    // More tickets waiting than the agent view reads (10 pages of 200):
    // the oldest, nearest their deadlines, are the ones left out, so the
    // queue must say that it is cut, not look whole. The dispatcher's
    // page is closed first (it would take every new row live), and a new
    // one reads the queue.
    await D.page.close();
    const kLongQueue = 2001;
    const longIds = [];
    for (let made = 0; made < kLongQueue;) {
      const wave = Math.min(50, kLongQueue - made);
      const answers = await Promise.all(Array.from({length: wave}, (_, i) => api(
          daemon, 'POST', '/api/v1/tickets', {
            token: hjartdal,
            body: {title: `Skjermen blinker på kontor ${made + i + 1}`,
                   description: 'Skjermen blinker av og på.',
                   serviceId: 'brukerstotte-pa-stedet', priority: 'low'},
          })));
      longIds.push(...answers.map((a) => Number(a.json.id)));
      made += wave;
    }
    longIds.sort((x, y) => x - y);
    const L = await open('dispatcher kari.haugen, a long queue (desktop)',
                         kDesktop);
    L.watch.expect(401, '/api/v1/session', 'who is logged in, before login');
    await L.page.goto(daemon.url('/agent'));
    await formLogin(L.page, 'kari.haugen', password('kari.haugen'), 'Køer');
    const cut = L.page.locator('#unassigned-state.notice.warn');
    await waitVisible(cut, 'the notice that "Ufordelte saker" is cut short');
    const cutText = (await cut.innerText()).trim();
    const cutCount = (await L.page.locator('#unassigned-count').innerText())
                         .trim();
    const cutRows = await L.page.locator(
        '[data-testid="unassigned-queue"] [data-testid="ticket-row"]').count();
    const newest = longIds[longIds.length - 1];
    const oldest = longIds[0];
    const shown = async (ticket) =>
      rowIn(L.page, 'unassigned-queue', String(ticket)).count();
    if (cutCount !== '(2000+)' || cutRows !== 2000 ||
        await shown(newest) !== 1 || await shown(oldest) !== 0 ||
        !cutText.includes('bare de nyeste sakene vises') ||
        !cutText.includes('Eldre saker vises ikke')) {
      fail(`${kLongQueue} tickets waiting: the queue should show the 2000 ` +
           `newest (${newest} and not ${oldest}), count "(2000+)" and say ` +
           `it is cut; it shows ${cutRows} rows (${newest}: ` +
           `${await shown(newest)}, ${oldest}: ${await shown(oldest)}), ` +
           `"${cutCount}", "${cutText}"`);
    }
    const readAgain = cut.getByRole('button', {name: 'Hent køen på nytt'});
    await waitVisible(readAgain, 'the button that reads the cut queue again');
    ok(`${kLongQueue} tickets waiting: "Ufordelte saker" shows the 2000 ` +
       `newest (ticket ${newest}, not ${oldest}), counts "${cutCount}" and ` +
       `says "${cutText}"`);
    // A keyboard user on the button keeps it while the stream brings one
    // more ticket (the queue is drawn again; the unchanged notice is not).
    await readAgain.focus();
    await api(daemon, 'POST', '/api/v1/tickets', {
      token: hjartdal,
      body: {title: 'Skjermen blinker på kontor 2002',
             description: 'Skjermen blinker av og på.',
             serviceId: 'brukerstotte-pa-stedet', priority: 'low'},
    });
    await L.page.waitForFunction(
        () => document.getElementById('unassigned-count').textContent.trim() ===
            '(2001+)',
        null, {timeout: 5000});
    const focusAfter = await L.page.evaluate(
        () => document.activeElement && document.activeElement.textContent);
    if (focusAfter !== 'Hent køen på nytt') {
      fail(`focus on "Hent køen på nytt" should stay there when a ticket ` +
           `arrives; it is on "${focusAfter}"`);
    }
    ok('the focus stays on "Hent køen på nytt" when the stream brings a ticket');
    await axeCheck(L.page, 'the agent queues, one cut (desktop, dispatcher)');

    // ---------------------------------------------------------- consoles
    for (const p of pages) {
      for (const problem of p.watch.problems) softFail(problem);
    }
    const allowed = pages.flatMap((p) => p.watch.allowedSeen.map(
        (a) => `${p.name.replace(/ \(.*\)$/, '')}: ${a.split(' (')[0]}`));
    if (pages.every((p) => !p.watch.problems.length)) {
      ok(`no console errors or warnings and no uncaught errors on ` +
         `${pages.length} pages (allowed: ${allowed.join(', ')})`);
    }
    succeeded = !tally.failed.length;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await daemon.stop().catch(() => {});
    if (succeeded) {
      await fsp.rm(dataDir, {recursive: true, force: true});
    } else {
      log(`kept for a look: ${dataDir}; daemon log in ${artifacts}`);
    }
  }
}

const watchdog = setTimeout(() => {
  log(`FAIL the whole test took over ${kWholeTestMs / 1000} s`);
  if (daemon) daemon.kill();
  process.exit(1);
}, kWholeTestMs);

main().then(
    () => {
      clearTimeout(watchdog);
      const axeTotal = axeRuns.length;
      if (tally.failed.length) {
        log(`${tally.failed.length} check(s) failed:`);
        for (const f of tally.failed) console.log(`  - ${f.split('\n')[0]}`);
        console.log(`pages: ${tally.passed} passed, ${tally.failed.length} failed`);
        process.exit(1);
      }
      console.log(`pages: ${tally.passed} passed, 0 failed (${axeTotal} axe runs)`);
      process.exit(0);
    },
    (error) => {
      clearTimeout(watchdog);
      log(`FAIL ${error instanceof Failure ? error.message : error.stack}`);
      for (const f of tally.failed) console.log(`  - ${f.split('\n')[0]}`);
      console.log(`pages: ${tally.passed} passed, ${tally.failed.length + 1} failed`);
      process.exit(1);
    });

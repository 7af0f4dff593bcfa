// What the employee portal (/) and the agent view (/agent) share: the
// Norwegian words for the daemon's values, Oslo time, the API client (the
// HttpOnly session cookie plus the CSRF token; problems turned into
// Norwegian), form errors, the live stream with resume and backoff, the
// ticket view (one ticket and its conversation) and the page shell (login,
// header, logout, which page an account belongs on, the stream while
// logged in). Loaded before portal.js or agent.js, it publishes
// window.Helpdesk.
// Everything the server sends is shown with textContent, never as markup.
'use strict';

(() => {
  // ------------------------------------------------------------ words

  const PRIORITIES = ['critical', 'high', 'normal', 'low'];
  const PRIORITY_NAMES = {
    critical: 'kritisk',
    high: 'høy',
    normal: 'normal',
    low: 'lav',
  };
  const STATUS_NAMES = {
    new: 'ny',
    assigned: 'tildelt',
    in_progress: 'under arbeid',
    waiting_on_user: 'venter på bruker',
    waiting_on_supplier: 'venter på leverandør',
    resolved: 'løst',
    closed: 'lukket',
  };
  // The moves the daemon allows (daemon/tickets/state_machine.cc); a move
  // to `assigned` happens only through /take and /assign.
  const NEXT_STATUSES = {
    new: [],
    assigned: ['in_progress'],
    in_progress: ['waiting_on_user', 'waiting_on_supplier', 'resolved'],
    waiting_on_user: ['in_progress', 'resolved'],
    waiting_on_supplier: ['in_progress', 'resolved'],
    resolved: ['closed', 'in_progress'],
    closed: [],
  };
  const REASONS = {
    no_skilled_staff: 'ingen med riktig kompetanse',
    no_one_available: 'ingen tilgjengelig',
    no_local_staff: 'ingen på stedet',
    no_vakt: 'ingen på vakt',
  };
  // "Svarfrist om 1 t 20 min", "Løsningsfrist passert for 5 min siden".
  const DEADLINE_NAMES = {
    first_response: 'svarfrist',
    resolution: 'løsningsfrist',
  };
  const CLOCK_TITLES = {
    first_response: 'Førsterespons',
    resolution: 'Løsning',
  };
  const CLOCK_STATES = {
    running: 'løper',
    paused: 'pauset',
    met: 'overholdt',
    breached: 'brutt',
  };
  const CALENDAR_NAMES = {
    desk: 'kontortid',
    '24x7': 'døgnet rundt',
  };
  const DONE = new Set(['resolved', 'closed']);
  const STAFF_ROLES = ['agent', 'dispatcher'];

  function statusName(status) {
    return STATUS_NAMES[status] || status || 'ukjent';
  }

  function priorityName(priority) {
    return PRIORITY_NAMES[priority] || priority || 'ukjent';
  }

  function capitalize(text) {
    const s = String(text || '');
    return s ? s[0].toLocaleUpperCase('nb-NO') + s.slice(1) : s;
  }

  // "1 tjeneste", "3 tjenester".
  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  // ------------------------------------------------------------ time

  const OSLO = 'Europe/Oslo';
  const fmtParts = new Intl.DateTimeFormat('nb-NO', {
    timeZone: OSLO,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const fmtDayKey = new Intl.DateTimeFormat('en-CA', {
    timeZone: OSLO,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });

  // The daemon's clock may differ from ours (and runs from a set instant
  // in drills and tests): countdowns use its time. Pages set the offset
  // from an answer that says "now", and every event's instant can only
  // move it forward (an event happened at or before the daemon's now).
  const clock = {
    offset: 0,
    now() {
      return Date.now() + this.offset;
    },
    set(serverMs) {
      if (Number.isFinite(serverMs)) this.offset = serverMs - Date.now();
    },
    observe(serverMs) {
      if (Number.isFinite(serverMs) && serverMs - Date.now() > this.offset) {
        this.offset = serverMs - Date.now();
      }
    },
  };

  function parseTime(text) {
    if (!text) return NaN;
    return Date.parse(text);
  }

  function partsOf(ms) {
    const parts = {};
    for (const p of fmtParts.formatToParts(ms)) parts[p.type] = p.value;
    return parts;
  }

  // "15. apr. 2026 kl. 10:05"
  function formatDateTime(ms) {
    if (!Number.isFinite(ms)) return 'ukjent tid';
    const p = partsOf(ms);
    return `${p.day}. ${p.month} ${p.year} kl. ${p.hour}:${p.minute}`;
  }

  // Readable nearby: "i dag kl. 10:05", "i går kl. 16:40", "3. mars kl.
  // 09:00" this year, with the year otherwise. Days are Oslo's days.
  function formatWhen(ms) {
    if (!Number.isFinite(ms)) return 'ukjent tid';
    const now = clock.now();
    const p = partsOf(ms);
    const key = fmtDayKey.format(ms);
    if (key === fmtDayKey.format(now)) return `i dag kl. ${p.hour}:${p.minute}`;
    if (key === fmtDayKey.format(now - 86400000)) {
      return `i går kl. ${p.hour}:${p.minute}`;
    }
    if (key === fmtDayKey.format(now + 86400000)) {
      return `i morgen kl. ${p.hour}:${p.minute}`;
    }
    if (p.year === partsOf(now).year) {
      return `${p.day}. ${p.month} kl. ${p.hour}:${p.minute}`;
    }
    return formatDateTime(ms);
  }

  // A <time> element: machine-readable instant, Norwegian text.
  function timeEl(text, className) {
    const ms = parseTime(text);
    const node = el('time', className, formatWhen(ms));
    if (Number.isFinite(ms)) {
      node.dateTime = new Date(ms).toISOString();
      node.title = formatDateTime(ms);
    }
    return node;
  }

  // The element a pointer is pressed on now (null when none), and the
  // lists whose redraw waits for that press to end, with their rows.
  let pressed = null;
  const heldRows = new Map();

  function endPress() {
    pressed = null;
    // After the click this release makes (dispatched in the same task),
    // not before it.
    setTimeout(() => {
      if (pressed) return;  // pressed again meanwhile: held on
      const held = [...heldRows];
      heldRows.clear();
      for (const [list, rows] of held) updateRows(list, rows);
    }, 0);
  }
  document.addEventListener('pointerdown', (event) => {
    pressed = event.target;
  }, true);
  document.addEventListener('pointerup', endPress, true);
  document.addEventListener('pointercancel', endPress, true);
  window.addEventListener('blur', endPress);

  // Puts `rows` (new elements without listeners of their own) in `list`,
  // leaving in place each row already there that shows the same; while a
  // pointer is pressed in the list, not until the press ends (the list then
  // says data-held="true"). A list redrawn by a live event while someone
  // clicks a row (mouse down, rows replaced or moved, mouse up) would
  // otherwise swallow the click: it would end on another element than it
  // began.
  function updateRows(list, rows) {
    if (pressed && list.contains(pressed)) {
      heldRows.set(list, rows);
      list.dataset.held = 'true';
      return;
    }
    heldRows.delete(list);
    delete list.dataset.held;
    rows.forEach((row, i) => {
      const there = list.children[i];
      if (!there) {
        list.append(row);
      } else if (!there.isEqualNode(row)) {
        there.replaceWith(row);
      }
    });
    while (list.children.length > rows.length) list.lastElementChild.remove();
  }

  // "45 s", "12 min", "2 t 5 min", "3 døgn 4 t".
  function duration(ms) {
    const seconds = Math.max(0, Math.floor(ms / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) {
      const rest = minutes % 60;
      return rest ? `${hours} t ${rest} min` : `${hours} t`;
    }
    const days = Math.floor(hours / 24);
    const restHours = hours % 24;
    return restHours ? `${days} døgn ${restHours} t` : `${days} døgn`;
  }

  // "Svarfrist om 1 t 20 min" / "Løsningsfrist passert for 5 min siden".
  function countdownText(kind, dueMs, now) {
    const name = capitalize(DEADLINE_NAMES[kind] || 'frist');
    const left = dueMs - now;
    return left >= 0 ? `${name} om ${duration(left)}` :
                       `${name} passert for ${duration(-left)} siden`;
  }

  // "Vent 30 sekunder", for a Retry-After.
  function waitText(seconds) {
    const s = Math.max(1, Math.ceil(seconds));
    if (s < 60) return plural(s, 'sekund', 'sekunder');
    const m = Math.ceil(s / 60);
    if (m < 60) return plural(m, 'minutt', 'minutter');
    return plural(Math.ceil(m / 60), 'time', 'timer');
  }

  // The clock of a ticket (Ticket or TicketSummary) that falls due first
  // among those counting now; null when none counts.
  function nearestClock(ticket) {
    const sla = (ticket && ticket.sla) || {};
    let best = null;
    for (const c of [sla.firstResponse, sla.resolution]) {
      if (!c || !c.counting || !c.dueAt) continue;
      const due = parseTime(c.dueAt);
      if (!Number.isFinite(due)) continue;
      if (!best || due < best.due) best = {clock: c, kind: c.kind, due};
    }
    return best;
  }

  function seqOf(value) {
    try {
      return BigInt(value || 0);
    } catch {
      return 0n;
    }
  }

  // ------------------------------------------------------------ DOM

  // Each view of a page is a <template data-view-template> holding one
  // <section data-view="name">, made once and kept; only the view shown is
  // in the document (#view-host), so a hidden view's fields never share a
  // label or a name with the visible one's. $ finds an element by id in
  // the document, else in the views kept aside.
  const views = new Map();  // name -> its section, attached or not

  function initViews() {
    for (const template of document.querySelectorAll(
             'template[data-view-template]')) {
      const root = document.importNode(template.content, true)
                       .querySelector('[data-view]');
      if (root) views.set(root.dataset.view, root);
    }
  }

  function $(id) {
    const found = document.getElementById(id);
    if (found) return found;
    for (const root of views.values()) {
      if (root.isConnected) continue;
      const node = root.querySelector(`#${CSS.escape(id)}`);
      if (node) return node;
    }
    return null;
  }

  // el('p', 'class', 'text') or el('a', {href, class, text, data}, child...).
  // Strings become text nodes: nothing is ever parsed as markup.
  function el(tag, options, ...children) {
    const node = document.createElement(tag);
    if (typeof options === 'string') {
      node.className = options;
    } else if (options) {
      for (const [key, value] of Object.entries(options)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') {
          node.className = value;
        } else if (key === 'text') {
          node.textContent = String(value);
        } else if (key === 'data') {
          for (const [k, v] of Object.entries(value)) node.dataset[k] = v;
        } else {
          node.setAttribute(key, value === true ? '' : String(value));
        }
      }
    }
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function setText(node, text) {
    const value = String(text ?? '');
    if (node && node.textContent !== value) node.textContent = value;
  }

  // The first sentence of a long description, for a radio's label.
  function shortText(text, max = 160) {
    const s = String(text || '').trim();
    if (s.length <= max) return s;
    const stop = s.indexOf('. ');
    if (stop > 20 && stop < max) return s.slice(0, stop + 1);
    return `${s.slice(0, max - 1).trimEnd()}…`;
  }

  // ------------------------------------------------------------ announcer

  // One polite live region per page (#announcer): confirmations and live
  // changes the user did not cause. Cleared first so a repeat is read.
  let announceTimer = 0;
  function announce(text) {
    const node = $('announcer');
    if (!node) return;
    clearTimeout(announceTimer);
    node.textContent = '';
    announceTimer = setTimeout(() => {
      node.textContent = text;
    }, 150);
  }

  // ------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(status, problem, retryAfter) {
      super((problem && problem.detail) || `HTTP ${status}`);
      this.name = 'ApiError';
      this.status = status;
      this.problem = problem && typeof problem === 'object' ? problem : {};
      this.retryAfter = retryAfter;
    }
    get field() {
      return this.problem.field || '';
    }
    get type() {
      return this.problem.type || '';
    }
    get detail() {
      return this.problem.detail || '';
    }
  }

  const session = {
    csrf: '',
    account: null,
    onLost: null,  // set by the shell: the session ended under us
  };

  function retryAfterSeconds(value) {
    if (!value) return 0;
    const n = Number(value);
    if (Number.isFinite(n)) return Math.max(0, n);
    const at = Date.parse(value);
    return Number.isFinite(at) ? Math.max(0, (at - Date.now()) / 1000) : 0;
  }

  // A random key for Idempotency-Key (crypto.randomUUID needs a secure
  // context; getRandomValues does not).
  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // One request to the daemon. Resolves with the parsed JSON (null for no
  // body); rejects with an ApiError (status 0: no answer at all). Writes
  // carry the CSRF token; a refused token is read again once (another tab
  // may have logged in anew).
  async function request(method, path, options = {}) {
    const headers = {accept: 'application/json'};
    let body;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (method !== 'GET') {
      // Every change says it is JSON (the daemon refuses anything else)
      // and carries the session's CSRF token.
      headers['content-type'] = 'application/json';
      if (session.csrf) headers['x-csrf-token'] = session.csrf;
    }
    if (options.idempotencyKey) {
      headers['idempotency-key'] = options.idempotencyKey;
    }
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: options.signal,
      });
    } catch (error) {
      if (error && error.name === 'AbortError') throw error;
      throw new ApiError(0, null, 0);
    }
    if (response.ok) {
      const text = await response.text();
      if (!text) return null;
      try {
        return JSON.parse(text);
      } catch {
        throw new ApiError(502, {detail: 'the answer was not JSON'}, 0);
      }
    }
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    const error = new ApiError(response.status, problem,
                               retryAfterSeconds(
                                   response.headers.get('retry-after')));
    if (response.status === 403 && error.field === 'X-CSRF-Token' &&
        !options.csrfRetried && method !== 'GET') {
      const fresh = await fetchSession().catch(() => null);
      if (fresh && fresh.csrfToken && session.account &&
          fresh.account && fresh.account.id === session.account.id) {
        session.csrf = fresh.csrfToken;
        return request(method, path, {...options, csrfRetried: true});
      }
    }
    if (response.status === 401 && !options.loginRequest && session.onLost) {
      session.onLost();
    }
    throw error;
  }

  const api = {
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, {...options, body}),
    del: (path, options) => request('DELETE', path, options),
  };

  // GET /api/v1/session: the session of the cookie, or null when none.
  async function fetchSession() {
    try {
      return await request('GET', '/api/v1/session', {loginRequest: true});
    } catch (error) {
      if (error.status === 401) return null;
      throw error;
    }
  }

  // ------------------------------------------------------------ problems

  const GENERIC = {
    0: 'Fikk ikke kontakt med servicedesken. Sjekk nettforbindelsen og ' +
        'prøv igjen.',
    401: 'Du er ikke lenger logget inn. Logg inn igjen.',
    403: 'Du har ikke tilgang til å gjøre dette.',
    404: 'Fant ikke det du ba om. Det kan ha blitt flyttet eller slettet.',
    409: 'Det går ikke slik saken står nå.',
    413: 'Teksten er for lang. Gjør den kortere og prøv igjen.',
    415: 'Servicedesken forstod ikke forespørselen.',
    422: 'Noe er ikke fylt ut riktig.',
    428: 'Servicedesken trenger sakens versjon. Last siden på nytt og prøv ' +
        'igjen.',
    503: 'Servicedesken har mye å gjøre akkurat nå. Vent litt og prøv igjen.',
    507: 'Servicedesken får ikke lagret noe akkurat nå. Prøv igjen senere.',
  };

  function isVersionConflict(error) {
    return error.status === 409 &&
        (error.type === '/problems/version-conflict' ||
         error.problem.currentVersion !== undefined);
  }

  // A problem as Norwegian text: { text, detail } where detail (the
  // daemon's own words, in English) is shown only when the text alone may
  // not say enough.
  function describeProblem(error) {
    if (!(error instanceof ApiError)) {
      return {text: 'Noe gikk galt. Prøv igjen.', detail: ''};
    }
    const s = error.status;
    if (s === 429) {
      const wait = error.retryAfter ?
          `Vent ${waitText(error.retryAfter)} og prøv igjen.` :
          'Vent litt og prøv igjen.';
      return {text: `Det har vært for mange forsøk på kort tid. ${wait}`,
              detail: ''};
    }
    if (isVersionConflict(error)) {
      return {
        text: 'Saken ble endret av noen andre mens du så på den. Den er ' +
            'hentet på nytt: se over og prøv igjen.',
        detail: '',
      };
    }
    if (s === 409 && Array.isArray(error.problem.allowed)) {
      const allowed = error.problem.allowed.map(statusName);
      const tail = allowed.length ?
          ` Mulig nå: ${allowed.join(', ')}.` :
          ' Ingen statusendring er mulig nå.';
      return {text: `Saken kan ikke få den statusen nå.${tail}`, detail: ''};
    }
    if (s === 0 || s === 401 || s === 413 || s === 428) {
      return {text: GENERIC[s], detail: ''};
    }
    if (s >= 500 && !GENERIC[s]) {
      return {
        text: 'Servicedesken fikk en feil. Prøv igjen om litt.',
        detail: error.detail,
      };
    }
    return {
      text: GENERIC[s] || 'Det gikk ikke. Prøv igjen.',
      detail: error.detail,
    };
  }

  // The problem as nodes: the Norwegian sentence, then the daemon's detail
  // marked as English for screen readers.
  function problemNodes(error, text) {
    const described = describeProblem(error);
    const nodes = [text || described.text];
    if (described.detail) {
      nodes.push(' (Svar fra servicedesken: ',
                 el('span', {lang: 'en', text: described.detail}), ')');
    }
    return nodes;
  }

  // ------------------------------------------------------------ form errors

  // Errors are shown next to their field (aria-invalid, aria-describedby
  // naming the error first), listed with links in the form's summary
  // (role="alert"), and the first field with an error gets focus.

  function errorIdFor(control) {
    return `${control.id || control.name}-error`;
  }

  function clearErrors(form) {
    for (const node of form.querySelectorAll('.field-error')) node.remove();
    for (const node of form.querySelectorAll('[aria-invalid]')) {
      node.removeAttribute('aria-invalid');
    }
    for (const node of form.querySelectorAll('[data-described]')) {
      const original = node.dataset.described;
      if (original) {
        node.setAttribute('aria-describedby', original);
      } else {
        node.removeAttribute('aria-describedby');
      }
      delete node.dataset.described;
    }
    for (const node of form.querySelectorAll('.has-error')) {
      node.classList.remove('has-error');
    }
    const summary = form.querySelector('[data-error-summary]');
    if (summary) summary.replaceChildren();
  }

  function describeWith(control, id) {
    if (control.dataset.described === undefined) {
      control.dataset.described = control.getAttribute('aria-describedby') || '';
    }
    const ids = [id, ...control.dataset.described.split(/\s+/)].filter(Boolean);
    control.setAttribute('aria-describedby', ids.join(' '));
  }

  // Puts `message` (text or nodes) beside `control`: an input, select or
  // textarea (above it, under its label and hint), or a fieldset of radios
  // (under its legend; every radio is marked).
  function setFieldError(control, message) {
    const id = errorIdFor(control);
    const old = document.getElementById(id);
    if (old) old.remove();
    const node = el('p', {class: 'field-error', id});
    node.append(...(Array.isArray(message) ? message : [message]));
    if (control.tagName === 'FIELDSET') {
      const legend = control.querySelector('legend');
      if (legend) legend.after(node); else control.prepend(node);
      control.classList.add('has-error');
      for (const input of control.querySelectorAll('input')) {
        input.setAttribute('aria-invalid', 'true');
        describeWith(input, id);
      }
      return;
    }
    control.before(node);
    control.setAttribute('aria-invalid', 'true');
    describeWith(control, id);
    const field = control.closest('.field');
    if (field) field.classList.add('has-error');
  }

  function focusControl(control) {
    const target = control.tagName === 'FIELDSET' ?
        (control.querySelector('input:checked') || control.querySelector('input')) :
        control;
    if (target) target.focus();
  }

  function messageText(message) {
    if (!Array.isArray(message)) return String(message);
    return message.map((m) => (m instanceof Node ? m.textContent : String(m)))
        .join('');
  }

  // errors: [{control, message}]. Fills the summary, marks each field and
  // focuses the first. Says whether there was any.
  function showErrors(form, errors) {
    clearErrors(form);
    if (!errors.length) return false;
    for (const {control, message} of errors) setFieldError(control, message);
    const summary = form.querySelector('[data-error-summary]');
    if (summary) {
      const list = el('ul');
      for (const {control, message} of errors) {
        const target = control.tagName === 'FIELDSET' ?
            control.querySelector('input') : control;
        const link = el('a', {href: `#${target ? target.id : ''}`},
                        messageText(message));
        link.addEventListener('click', (event) => {
          event.preventDefault();
          focusControl(control);
        });
        list.append(el('li', null, link));
      }
      summary.append(el('p', 'error-summary-title', errors.length === 1 ?
                            'Dette må rettes:' : 'Disse må rettes:'),
                     list);
    }
    focusControl(errors[0].control);
    return true;
  }

  // A problem that belongs to no field: in the form's summary, announced
  // by its role="alert". Focus stays where it is.
  function showFormProblem(form, message) {
    clearErrors(form);
    const summary = form.querySelector('[data-error-summary]');
    if (!summary) {
      announce(messageText(message));
      return;
    }
    const p = el('p');
    p.append(...(Array.isArray(message) ? message : [message]));
    summary.append(p);
  }

  // A problem from a write, put on the field the daemon named when the
  // form has it (fields: {serviceId: control, ...}; messages: the
  // Norwegian text per field), else in the form's summary.
  function showProblem(form, error, fields = {}, messages = {}) {
    const control = error.field && fields[error.field];
    if (control && error.status !== 409) {
      const text = messages[error.field];
      showErrors(form, [{
        control,
        message: text || problemNodes(error),
      }]);
      return;
    }
    showFormProblem(form, problemNodes(error));
  }

  // Busy while a write is on its way: a second press does nothing, and the
  // button says so without being disabled (a disabled button loses focus).
  function setBusy(form, busy) {
    if (busy) {
      form.setAttribute('aria-busy', 'true');
    } else {
      form.removeAttribute('aria-busy');
    }
    for (const button of form.querySelectorAll('button[type="submit"]')) {
      if (busy) {
        button.setAttribute('aria-disabled', 'true');
      } else {
        button.removeAttribute('aria-disabled');
      }
    }
  }

  function isBusy(form) {
    return form.getAttribute('aria-busy') === 'true';
  }

  // ------------------------------------------------------------ live stream

  const FIRST_BACKOFF_MS = 1000;
  const MAX_BACKOFF_MS = 30000;
  const LOSS_NOTICE_MS = 8000;  // tell screen readers only of a real outage

  // One websocket to /api/v1/stream (the cookie authenticates). Resumes
  // with since/epoch after a drop; when the daemon cannot resume (hello
  // recovered:false) the page is told to fetch its view again after the
  // snapshot. handlers: onResync(), onEvents(events), onAuthLost().
  function createStream(handlers) {
    const s = {
      ws: null,
      running: false,
      epoch: '',
      lastSeq: 0n,
      ready: false,       // a position to resume from is known
      attempt: 0,
      timer: 0,
      gotHello: false,
      awaitingSnapshot: false,
      everLive: false,
      live: false,
      lossTimer: 0,
      lossAnnounced: false,
    };

    function setLive(live) {
      s.live = live;
      const conn = document.querySelector('[data-testid="conn"]');
      if (conn) {
        conn.dataset.live = live ? 'true' : 'false';
        setText(conn.querySelector('.conn-text'),
                live ? 'Tilkoblet' :
                       (s.everLive ? 'Kobler til igjen…' : 'Kobler til…'));
      }
      clearTimeout(s.lossTimer);
      if (live) {
        if (s.lossAnnounced) announce('Tilkoblet igjen. Siden er oppdatert.');
        s.lossAnnounced = false;
      } else if (s.everLive && s.running && !s.lossAnnounced) {
        s.lossTimer = setTimeout(() => {
          if (!s.live && s.running) {
            s.lossAnnounced = true;
            announce('Mistet forbindelsen til servicedesken. Kobler til ' +
                     'igjen…');
          }
        }, LOSS_NOTICE_MS);
      }
    }

    function noteSeq(value) {
      const seq = seqOf(value);
      if (seq > s.lastSeq) s.lastSeq = seq;
    }

    function connect() {
      clearTimeout(s.timer);
      s.timer = 0;
      if (!s.running) return;
      const params = new URLSearchParams();
      if (s.ready && s.epoch) {
        params.set('since', s.lastSeq.toString());
        params.set('epoch', s.epoch);
      }
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const query = params.toString();
      const url = `${scheme}//${location.host}/api/v1/stream` +
          (query ? `?${query}` : '');
      s.gotHello = false;
      s.awaitingSnapshot = false;
      let ws;
      try {
        ws = new WebSocket(url);
      } catch {
        scheduleReconnect();
        return;
      }
      s.ws = ws;
      ws.addEventListener('message', (message) => {
        if (s.ws === ws) onMessage(message.data);
      });
      ws.addEventListener('close', (event) => {
        if (s.ws === ws) onClose(event);
      });
    }

    function scheduleReconnect() {
      clearTimeout(s.timer);
      if (!s.running) return;
      const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** s.attempt);
      s.attempt = Math.min(s.attempt + 1, 16);
      // 75 % to 125 % of the step, so that a restarted daemon is not met by
      // every page at once; never above the cap.
      const delay = Math.min(MAX_BACKOFF_MS, base * (0.75 + Math.random() / 2));
      s.timer = setTimeout(connect, delay);
    }

    function onClose(event) {
      s.ws = null;
      setLive(false);
      if (event.code === 4001) {
        // The session ended (logged out elsewhere, expired, roles changed).
        s.running = false;
        if (handlers.onAuthLost) handlers.onAuthLost();
        return;
      }
      // A refused handshake says nothing to the page (1006): after a few,
      // ask whether the session still holds before knocking on.
      if (!s.gotHello && s.attempt >= 2) checkSession();
      scheduleReconnect();
    }

    async function checkSession() {
      try {
        const current = await fetchSession();
        if (!current && s.running) {
          s.running = false;
          clearTimeout(s.timer);
          if (handlers.onAuthLost) handlers.onAuthLost();
        }
      } catch {
        // No answer: the daemon is away; the backoff goes on.
      }
    }

    function onMessage(text) {
      let message;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      if (!message || typeof message !== 'object') return;
      switch (message.type) {
        case 'hello':
          s.gotHello = true;
          s.attempt = 0;
          if (message.recovered === true && s.ready) {
            if (message.epoch) s.epoch = message.epoch;
            s.everLive = true;
            setLive(true);
          } else {
            s.epoch = message.epoch || '';
            s.awaitingSnapshot = true;
          }
          break;
        case 'snapshot':
          if (!s.gotHello) return;
          s.lastSeq = 0n;
          noteSeq(message.seq);
          s.ready = true;
          s.awaitingSnapshot = false;
          s.everLive = true;
          setLive(true);
          // The snapshot's tickets are summaries without titles: the page
          // reads its view anew instead, and events after `seq` follow.
          if (handlers.onResync) handlers.onResync();
          break;
        case 'events':
          if (!s.gotHello || s.awaitingSnapshot ||
              !Array.isArray(message.events)) {
            return;
          }
          {
            const fresh = [];
            for (const event of message.events) {
              if (!event || typeof event !== 'object') continue;
              const seq = seqOf(event.seq);
              if (seq <= s.lastSeq) continue;  // already applied
              s.lastSeq = seq;
              clock.observe(parseTime(event.at));
              fresh.push(event);
            }
            if (fresh.length && handlers.onEvents) handlers.onEvents(fresh);
          }
          break;
        case 'position':
          if (s.ready && !s.awaitingSnapshot) noteSeq(message.seq);
          break;
        default:
          break;  // a newer daemon's message: skipped
      }
    }

    // Back in view or back online: try at once rather than at the end of
    // a long backoff (a phone that slept).
    function nudge() {
      if (!s.running || s.ws) return;
      s.attempt = 0;
      connect();
    }

    function onVisibility() {
      if (document.visibilityState === 'visible') nudge();
    }

    return {
      start() {
        if (s.running) return;
        s.running = true;
        s.attempt = 0;
        setLive(false);
        window.addEventListener('online', nudge);
        document.addEventListener('visibilitychange', onVisibility);
        connect();
      },
      stop() {
        s.running = false;
        clearTimeout(s.timer);
        clearTimeout(s.lossTimer);
        window.removeEventListener('online', nudge);
        document.removeEventListener('visibilitychange', onVisibility);
        const ws = s.ws;
        s.ws = null;
        if (ws) ws.close(1000, 'page closed the stream');
        s.ready = false;
        s.epoch = '';
        s.lastSeq = 0n;
        s.everLive = false;
        s.lossAnnounced = false;
        setLive(false);
      },
      get live() {
        return s.live;
      },
    };
  }

  // ------------------------------------------------------------ conversation

  // Merges comments into `map` (seq -> comment), for a ticket's latest 20
  // plus older pages read on request.
  function mergeComments(map, comments) {
    for (const c of comments || []) {
      if (c && c.seq !== undefined) map.set(String(c.seq), c);
    }
  }

  function sortedComments(map) {
    return [...map.values()].sort((a, b) => {
      const x = seqOf(a.seq);
      const y = seqOf(b.seq);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }

  // The conversation as an ordered list: each comment with its author,
  // time and text; internal notes marked in words as well as by style.
  // options: {me, authorName(id, name) -> text}, where name is the
  // comment's authorName (the author's name when they wrote it; absent
  // from an older daemon).
  function renderConversation(list, comments, options) {
    const items = comments.map((c) => {
      const internal = c.visibility === 'internal';
      const mine = c.author === options.me;
      const li = el('li', {
        class: `comment${internal ? ' internal' : ''}${mine ? ' mine' : ''}`,
        data: {testid: 'comment', visibility: internal ? 'internal' : 'public',
               seq: String(c.seq)},
      });
      const meta = el('p', 'comment-meta');
      if (internal) meta.append(el('span', 'badge internal', 'Internt notat'));
      meta.append(el('span', 'comment-author',
                     options.authorName(c.author, c.authorName)),
                  timeEl(c.createdAt));
      li.append(meta, el('p', 'text-block', c.body || ''));
      return li;
    });
    list.replaceChildren(...items);
  }

  // ------------------------------------------------------------ one ticket

  const REFRESH_DELAY_MS = 150;

  // A row of a ticket's facts (<dl>): the term and its value (text or
  // nodes).
  function fact(term, ...value) {
    return [el('dt', null, term), el('dd', null, ...value)];
  }

  // The name the assignee had when the ticket was given to them (its
  // assignment's assigneeName), or '' when the daemon sent none or the
  // assignment is about someone else.
  function assignedName(ticket) {
    const a = (ticket && ticket.assignment) || {};
    if (!ticket || !ticket.assignee || !a.assigneeName) return '';
    return !a.assignee || a.assignee === ticket.assignee ? a.assigneeName : '';
  }

  // The same Idempotency-Key for a retry of the same write (a lost answer
  // then does not make the change twice); a new one for anything else.
  // pending: the page's Map, form id -> {key, body}.
  function keyFor(pending, formId, body) {
    const text = JSON.stringify(body);
    const known = pending.get(formId);
    if (known && known.body === text) return known.key;
    const key = newKey();
    pending.set(formId, {key, body: text});
    return key;
  }

  // The view <section data-view="missing">, with its sentence.
  function showMissing(title, text, options) {
    setText($('missing-text'), text);
    showView('missing', title, options);
  }

  // The ticket view both pages have (#/sak/<id>): the open ticket, read
  // by id and again after live events; its conversation (the latest
  // comments, older pages on request); its loading, problem and
  // not-found states; its forms. What the page adds, it says in `page`:
  //   forms: {id: handler(ticket, form)}: the view's forms, each sent
  //     with the open ticket (nothing while none is), emptied when
  //     another ticket opens;
  //   missingText(id): the not-found sentence;
  //   me(): the user's account id;
  //   authorName(id, name): a comment's author (name: its authorName);
  //   onLoad(id): read along with the ticket (the agent's history);
  //   onReset(): emptied along with the view;
  //   onApply(ticket): a ticket read or answered, before it is shown;
  //   render(ticket): the page's part of showing it;
  //   onUpdate(ticket, previous, fresh): the open ticket read anew, with
  //     the comments new since that someone else wrote.
  function createTicketView(page) {
    const view = {ticket: null, comments: new Map(), older: '', timer: 0};

    function reset() {
      clearTimeout(view.timer);
      view.ticket = null;
      view.comments = new Map();
      view.older = '';
      $('ticket-body').hidden = true;
      $('ticket-problem').hidden = true;
      $('ticket-loading').hidden = false;
      setText($('ticket-status'), '');
      for (const id of Object.keys(page.forms)) {
        const form = $(id);
        clearErrors(form);
        form.reset();
      }
      $('conversation').replaceChildren();
      if (page.onReset) page.onReset();
    }

    // Shows the view for ticket `id`, emptied unless it holds that one.
    function open(id, options) {
      const same = view.ticket && view.ticket.id === id;
      if (!same) reset();
      showView('ticket', same ? `Sak ${id}: ${view.ticket.title}` : `Sak ${id}`,
               options);
    }

    function load(id) {
      read(id);
      if (page.onLoad) page.onLoad(id);
    }

    async function read(id) {
      try {
        const ticket =
            await api.get(`/api/v1/tickets/${encodeURIComponent(id)}`);
        if (showsTicket(id)) apply(ticket);
      } catch (error) {
        if (!showsTicket(id) || error.status === 401) return;
        $('ticket-loading').hidden = true;
        if (error.status === 404) {
          view.ticket = null;
          showMissing('Fant ikke saken', page.missingText(id), {});
          announce('Fant ikke saken');
          return;
        }
        const box = $('ticket-problem');
        const retry = el('button', {type: 'button', class: 'button-quiet'},
                         'Prøv igjen');
        retry.addEventListener('click', () => {
          box.hidden = true;
          $('ticket-loading').hidden = false;
          load(id);
        });
        box.replaceChildren(el('p', null, ...problemNodes(error)), retry);
        box.hidden = false;
      }
    }

    // After a live event: read the open ticket again, once for a burst.
    // Nothing when no ticket is on screen: a ticket left for the queues is
    // not read again (each staff read is audited as one).
    function scheduleRefresh() {
      if (!view.ticket || !showsTicket(view.ticket.id)) return;
      clearTimeout(view.timer);
      view.timer = setTimeout(() => {
        if (view.ticket && showsTicket(view.ticket.id)) load(view.ticket.id);
      }, REFRESH_DELAY_MS);
    }

    // A ticket read or answered by a write: kept and shown, if it is the
    // one on screen (a write's answer may come after the user has opened
    // another ticket; it must not be shown under that one).
    function apply(ticket) {
      if (!ticket || !ticket.id || !showsTicket(ticket.id)) return;
      const previous = view.ticket;
      if (previous && previous.id === ticket.id &&
          (ticket.version || 0) < (previous.version || 0)) {
        return;  // an older answer overtaken by a newer one
      }
      if (previous && previous.id !== ticket.id) {
        view.comments = new Map();  // another ticket's comments never stay
      }
      const known = new Set(view.comments.keys());
      view.ticket = ticket;
      if (!previous || previous.id !== ticket.id) {
        view.older = ticket.commentsNext || '';
      }
      mergeComments(view.comments, ticket.comments);
      if (page.onApply) page.onApply(ticket);
      render();
      if (previous && previous.id === ticket.id && page.onUpdate) {
        const me = page.me();
        const fresh = (ticket.comments || []).filter(
            (c) => !known.has(String(c.seq)) && c.author !== me);
        page.onUpdate(ticket, previous, fresh);
      }
    }

    function render() {
      const t = view.ticket;
      if (!t || !showsTicket(t.id)) return;
      setTitle(`Sak ${t.id}: ${t.title || ''}`);
      const status = $('ticket-status');
      setText(status, `Status: ${statusName(t.status)}`);
      status.dataset.status = t.status || '';
      page.render(t);
      renderComments();
      $('ticket-loading').hidden = true;
      $('ticket-problem').hidden = true;
      $('ticket-body').hidden = false;
    }

    function renderComments() {
      const comments = sortedComments(view.comments);
      renderConversation($('conversation'), comments,
                         {me: page.me(), authorName: page.authorName});
      $('conversation-empty').hidden = comments.length > 0;
      $('older-comments').hidden = !view.older;
    }

    // The "Vis eldre meldinger" button: the page of comments before the
    // oldest shown.
    async function loadOlder() {
      const url = view.older;
      const button = $('older-comments');
      if (!url || button.getAttribute('aria-disabled') === 'true') return;
      // Only this ticket's own comment pages, and only into its list.
      if (!view.ticket || !url.startsWith('/api/v1/tickets/')) return;
      const id = view.ticket.id;
      const comments = view.comments;
      button.setAttribute('aria-disabled', 'true');
      try {
        const older = await api.get(url);
        if (!showsTicket(id) || view.comments !== comments) return;
        mergeComments(view.comments, older && older.comments);
        view.older = (older && older.next) || '';
        renderComments();
        announce(`${plural(((older && older.comments) || []).length,
                           'eldre melding', 'eldre meldinger')} er vist.`);
        if (!view.older) $('conversation-title').focus();
      } catch (error) {
        announce(describeProblem(error).text);
      } finally {
        button.removeAttribute('aria-disabled');
      }
    }

    // Once the page's views are made (the page's wire()).
    function wire() {
      for (const [id, handler] of Object.entries(page.forms)) {
        const form = $(id);
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          if (view.ticket) handler(view.ticket, form);
        });
      }
      $('older-comments').addEventListener('click', loadOlder);
    }

    return {
      get ticket() {
        return view.ticket;
      },
      open,
      load,
      scheduleRefresh,
      apply,
      render,
      reset,
      wire,
    };
  }

  // ------------------------------------------------------------ the shell

  // Hash routes: #/ (home), #/ny (new ticket), #/sak/<id> (a ticket).
  function parseRoute() {
    const hash = location.hash.replace(/^#/, '') || '/';
    if (hash === '/' || !hash.startsWith('/')) return {name: 'home'};
    if (hash === '/ny') return {name: 'new'};
    const m = /^\/sak\/(\d{1,18})$/.exec(hash);
    if (m) return {name: 'ticket', id: m[1]};
    return {name: 'unknown'};
  }

  // The route the page shows: the one boot last gave page.route.
  let shownRoute = {name: 'home'};

  function currentRoute() {
    return shownRoute;
  }

  // Whether the page shows ticket `id` (an answer for another is stale).
  function showsTicket(id) {
    return shownRoute.name === 'ticket' && shownRoute.id === id;
  }

  function hasRole(account, role) {
    return Boolean(account && Array.isArray(account.roles) &&
                   account.roles.includes(role));
  }

  function isStaff(account) {
    return STAFF_ROLES.some((r) => hasRole(account, r));
  }

  // The same ticket on the other page, or that page's home.
  function hashForOtherPage() {
    const route = parseRoute();
    return route.name === 'ticket' ? `#/sak/${route.id}` : '#/';
  }

  // Which page an account belongs on, seen from `kind` ('portal' or
  // 'agent'): {ok} here, {redirect: url}, or {gate: 'admin'|'dashboard'|
  // 'none'} for an account neither page serves.
  function placeFor(account, kind) {
    const employee = hasRole(account, 'employee');
    const staff = isStaff(account);
    if (kind === 'portal' && employee) return {ok: true};
    if (kind === 'agent' && staff) return {ok: true};
    if (kind === 'portal' && staff) return {redirect: `/agent${hashForOtherPage()}`};
    if (kind === 'agent' && employee) return {redirect: `/${hashForOtherPage()}`};
    if (hasRole(account, 'admin')) return {gate: 'admin'};
    if (hasRole(account, 'dashboard')) return {gate: 'dashboard'};
    return {gate: 'none'};
  }

  const SITE = 'IKT-servicedesk';

  // Shows one view (a <section data-view="name">), sets the page's one
  // <h1> and the document title, and moves focus to the heading when the
  // user moved to the view.
  function showView(name, title, options = {}) {
    attachView(name);
    setTitle(title);
    if (options.focus) focusHeading();
  }

  function attachView(name) {
    const host = document.getElementById('view-host');
    const root = views.get(name);
    if (host && root && host.firstElementChild !== root) {
      host.replaceChildren(root);
    }
  }


  function setTitle(title) {
    setText($('page-title'), title);
    document.title = `${title} – ${SITE}`;
  }

  function focusHeading() {
    const h1 = $('page-title');
    if (h1) h1.focus({preventScroll: false});
  }

  function setNavCurrent(route) {
    for (const link of document.querySelectorAll('.site-nav a')) {
      const current = link.dataset.route === route;
      if (current) {
        link.setAttribute('aria-current', 'page');
      } else {
        link.removeAttribute('aria-current');
      }
    }
  }

  // The pages call boot({kind, wire(), start(account), stop(), route(route,
  // opts), onEvents(events), onResync()}): wire() once, before the first
  // start; between start and stop the shell keeps the page's live stream.
  function boot(page) {
    const shell = {
      started: false,
      wired: false,
      stream: null,
      loggingIn: false,
    };
    initViews();

    function showSignedIn(account) {
      setText($('account-name'), account.name || account.id);
      $('account-bar').hidden = false;
    }

    function showSignedOut() {
      $('account-bar').hidden = true;
      const nav = $('site-nav');
      if (nav) nav.hidden = true;
    }

    function stopPage() {
      if (shell.started) {
        shell.started = false;
        if (shell.stream) shell.stream.stop();
        shell.stream = null;
        page.stop();
      }
      session.account = null;
      session.csrf = '';
    }

    function showLogin(notice, options = {}) {
      stopPage();
      showSignedOut();
      const form = $('login-form');
      clearErrors(form);
      const note = $('login-notice');
      setText(note, notice || '');
      note.hidden = !notice;
      showView('login', 'Logg inn', options);
    }

    function showGate(kind, account) {
      showSignedIn(account);
      const body = $('gate-body');
      if (kind === 'admin') {
        setTitle('Administratorer bruker helpdeskctl og API-et');
        body.replaceChildren(
            el('p', 'lead', 'Du er logget inn som administrator. Katalogen, ' +
               'IT-ansatte, vaktlisten og kontoene endrer du med ' +
               'kommandolinjeverktøyet helpdeskctl eller gjennom API-et.'),
            el('p', null, 'Denne siden er for ansatte i kommunene som melder ' +
               'saker, og for IT-ansatte som behandler dem.'));
      } else if (kind === 'dashboard') {
        setTitle('Denne kontoen er for driftstavlen');
        body.replaceChildren(
            el('p', 'lead', 'Kontoen din kan vise driftstavlen med tall for ' +
               'servicedesken, men ikke melde eller behandle saker.'),
            el('p', null, el('a', {href: '/dashboard', class: 'button'},
                             'Åpne driftstavlen')));
      } else {
        setTitle('Kontoen din har ikke tilgang her ennå');
        body.replaceChildren(
            el('p', 'lead', 'Kontoen din har ingen rolle som gir tilgang til ' +
               'å melde eller behandle saker.'),
            el('p', null, 'Ta kontakt med IT-servicedesken på telefon om du ' +
               'mener dette er feil.'));
      }
      attachView('gate');
      focusHeading();
    }

    function showUnreachable() {
      showSignedOut();
      showView('unreachable', 'Får ikke kontakt med servicedesken');
    }

    function go(options) {
      shownRoute = parseRoute();
      page.route(shownRoute, options);
    }

    // A session is known: go where the account belongs.
    function enter(current, options = {}) {
      const account = current.account || {};
      session.account = account;
      // The session's making is an instant of the daemon's clock.
      if (current.credential) clock.observe(parseTime(current.credential.createdAt));
      session.csrf = current.csrfToken || session.csrf;
      const place = placeFor(account, page.kind);
      if (place.redirect) {
        location.replace(place.redirect);
        return;
      }
      if (place.gate) {
        showGate(place.gate, account);
        return;
      }
      showSignedIn(account);
      const nav = $('site-nav');
      if (nav) nav.hidden = false;
      shell.started = true;
      if (!shell.wired) {
        shell.wired = true;
        page.wire();
      }
      page.start(account);
      shell.stream = createStream({
        onResync: page.onResync,
        onEvents: page.onEvents,
        onAuthLost: () => session.onLost && session.onLost(),
      });
      shell.stream.start();
      go({focus: Boolean(options.focus), first: true});
    }

    async function start() {
      showSignedOut();
      showView('loading', 'Laster…');
      let current;
      try {
        current = await fetchSession();
      } catch {
        showUnreachable();
        return;
      }
      if (current && current.account) {
        enter(current);
      } else {
        showLogin();
      }
    }

    async function onLoginSubmit(event) {
      event.preventDefault();
      const form = $('login-form');
      if (shell.loggingIn) return;
      const accountInput = $('login-account');
      const passwordInput = $('login-password');
      const errors = [];
      if (!accountInput.value.trim()) {
        errors.push({control: accountInput, message: 'Skriv brukernavnet ditt.'});
      }
      if (!passwordInput.value) {
        errors.push({control: passwordInput, message: 'Skriv passordet ditt.'});
      }
      if (showErrors(form, errors)) return;
      shell.loggingIn = true;
      setBusy(form, true);
      try {
        const answer = await request('POST', '/api/v1/session', {
          body: {account: accountInput.value.trim(), password: passwordInput.value},
          loginRequest: true,
        });
        passwordInput.value = '';
        $('login-notice').hidden = true;
        enter(answer, {focus: true});
      } catch (error) {
        if (error.status === 401) {
          showFormProblem(form, 'Feil brukernavn eller passord.');
          accountInput.focus();
          accountInput.select();
        } else if (error.status === 429) {
          const wait = error.retryAfter ?
              `Vent ${waitText(error.retryAfter)} før du prøver igjen.` :
              'Vent litt før du prøver igjen.';
          showFormProblem(form, `For mange mislykkede innlogginger. ${wait}`);
        } else {
          showFormProblem(form, problemNodes(error));
        }
      } finally {
        shell.loggingIn = false;
        setBusy(form, false);
      }
    }

    async function onLogout() {
      const button = $('logout');
      if (button.getAttribute('aria-disabled') === 'true') return;
      button.setAttribute('aria-disabled', 'true');
      try {
        await request('DELETE', '/api/v1/session', {loginRequest: true});
      } catch (error) {
        if (error.status !== 401) {
          button.removeAttribute('aria-disabled');
          announce(`Kunne ikke logge ut. ${describeProblem(error).text}`);
          return;
        }
      }
      button.removeAttribute('aria-disabled');
      showLogin('Du er logget ut.', {focus: true});
    }

    session.onLost = () => {
      if (!session.account) return;
      showLogin('Du er logget ut fordi økten er utløpt eller avsluttet. ' +
                'Logg inn igjen for å fortsette.', {focus: true});
    };

    // The skip link must not touch the hash: that is the router's.
    const skip = document.querySelector('.skip-link');
    if (skip) {
      skip.addEventListener('click', (event) => {
        event.preventDefault();
        const main = document.getElementById('main');
        main.focus();
        main.scrollIntoView();
      });
    }
    $('login-form').addEventListener('submit', onLoginSubmit);
    $('logout').addEventListener('click', onLogout);
    $('retry-start').addEventListener('click', start);
    window.addEventListener('hashchange', () => {
      // Only "#/..." are routes; anything else (an old bookmark to an
      // anchor) leaves the view as it is.
      const hash = location.hash;
      if (hash && !hash.startsWith('#/')) return;
      if (shell.started) go({focus: true});
    });
    start();
  }

  // ------------------------------------------------------------ export

  window.Helpdesk = Object.freeze({
    PRIORITIES,
    PRIORITY_NAMES,
    STATUS_NAMES,
    NEXT_STATUSES,
    REASONS,
    DEADLINE_NAMES,
    CLOCK_TITLES,
    CLOCK_STATES,
    CALENDAR_NAMES,
    DONE,
    statusName,
    priorityName,
    capitalize,
    plural,
    clock,
    parseTime,
    formatWhen,
    timeEl,
    updateRows,
    duration,
    countdownText,
    nearestClock,
    $,
    el,
    setText,
    shortText,
    announce,
    api,
    session,
    newKey,
    describeProblem,
    problemNodes,
    isVersionConflict,
    clearErrors,
    showErrors,
    showFormProblem,
    showProblem,
    setBusy,
    isBusy,
    fact,
    assignedName,
    keyFor,
    showMissing,
    createTicketView,
    hasRole,
    currentRoute,
    showsTicket,
    showView,
    setTitle,
    focusHeading,
    setNavCurrent,
    boot,
  });
})();

// The wall dashboard of helpdeskd: one websocket (GET /api/v1/stream as a
// dashboard), a board snapshot, then events applied to it in memory. No
// other request, no polling: a fresh snapshot is asked for only when the
// stream cannot resume, on vakt or staff changes, at the end of a vakt shift
// and when Oslo's day changes. Everything the server sends is shown with
// textContent, never parsed as HTML.
'use strict';

(() => {
  // ------------------------------------------------------------ words

  // The daemon's values in Norwegian, as the portal and the agent view
  // say them (common.js, loaded first).
  const {PRIORITIES, PRIORITY_NAMES, STATUS_NAMES, REASONS, DONE} =
      window.Helpdesk;
  const CLOCK_NAMES = {
    first_response: 'førsterespons',
    resolution: 'løsning',
  };

  const FIRST_BACKOFF_MS = 1000;
  const MAX_BACKOFF_MS = 30000;
  const MAX_ALERTS = 50;
  const MAX_DUE_ROWS = 60;
  const MAX_UNASSIGNED_ROWS = 40;
  const ATTAINMENT_LOW = 0.8;  // below this share the figure is marked
  const OSLO = 'Europe/Oslo';

  const fmtTime = new Intl.DateTimeFormat(
      'nb-NO', {timeZone: OSLO, hour: '2-digit', minute: '2-digit'});
  const fmtTimeSec = new Intl.DateTimeFormat('nb-NO', {
    timeZone: OSLO,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const fmtDay = new Intl.DateTimeFormat(
      'nb-NO', {timeZone: OSLO, weekday: 'long', day: 'numeric', month: 'long'});
  const fmtWhen = new Intl.DateTimeFormat('nb-NO', {
    timeZone: OSLO,
    weekday: 'short',
    day: 'numeric',
    month: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  // YYYY-MM-DD of an instant in Oslo: the day the board's figures are for.
  const fmtOsloDate = new Intl.DateTimeFormat('en-CA', {
    timeZone: OSLO,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });

  // ------------------------------------------------------------ state

  // What the board shows, rebuilt from each snapshot and moved on by events.
  const state = {
    ready: false,        // a snapshot (or a resumed stream) is applied
    epoch: '',
    lastSeq: 0n,         // the highest seq seen: events, snapshot, position
    dayStart: 0,         // ms; today 00:00 in Oslo, as the board said
    municipalities: new Map(),  // id -> today's figures and name
    open: new Map(),     // ticket id -> TicketSummary, open tickets only
    versions: new Map(), // ticket id -> the newest version applied
    openTotal: 0,
    alerts: [],          // newest first
    vakt: null,          // VaktNow
    staffNames: new Map(),
    clockOffset: 0,      // the daemon's clock minus ours, ms
    lastUpdate: 0,       // our clock, ms, of the last change applied
  };

  const conn = {
    ws: null,
    attempt: 0,         // failed attempts since the last hello
    timer: 0,
    fresh: false,       // the next connection asks for a snapshot
    refreshSoon: false, // reconnect for a snapshot after this batch
    awaitingSnapshot: false,
    gotHello: false,    // on the current connection
    everHello: false,   // on any connection of this page
    live: false,
    refreshedDay: '',       // the Oslo day a refresh was made for
    refreshedBoundary: '',  // the vakt boundary a refresh was made for
    notice: '',
  };

  const $ = (id) => document.getElementById(id);

  function serverNow() {
    return Date.now() + state.clockOffset;
  }

  function parseTime(text) {
    if (!text) return NaN;
    return Date.parse(text);
  }

  function toSeq(value) {
    try {
      return BigInt(value || 0);
    } catch {
      return 0n;
    }
  }

  function count(value) {
    const n = Number(value);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }

  function noteSeq(value) {
    const seq = toSeq(value);
    if (seq > state.lastSeq) state.lastSeq = seq;
  }

  // ------------------------------------------------------------ credential

  function readToken() {
    const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
    const query = new URLSearchParams(location.search);
    return hash.get('token') || query.get('token') || '';
  }

  // ------------------------------------------------------------ connection

  function connect() {
    clearTimeout(conn.timer);
    conn.timer = 0;
    const params = new URLSearchParams();
    const token = readToken();
    if (token) params.set('access_token', token);
    if (!conn.fresh && state.ready && state.epoch) {
      params.set('since', state.lastSeq.toString());
      params.set('epoch', state.epoch);
    }
    conn.fresh = false;
    conn.gotHello = false;
    conn.awaitingSnapshot = false;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = params.toString();
    const url = `${scheme}//${location.host}/api/v1/stream` +
        (query ? `?${query}` : '');
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    conn.ws = ws;
    ws.addEventListener('message', (message) => {
      if (conn.ws === ws) onMessage(message.data);
    });
    ws.addEventListener('close', (event) => {
      if (conn.ws === ws) onClose(event);
    });
  }

  function scheduleReconnect() {
    clearTimeout(conn.timer);
    const base =
        Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** conn.attempt);
    conn.attempt = Math.min(conn.attempt + 1, 16);
    // Jitter, so that every screen of a restarted daemon does not knock at
    // once: 75 % to 125 % of the step, never above the cap.
    const delay = Math.min(MAX_BACKOFF_MS, base * (0.75 + Math.random() / 2));
    conn.timer = setTimeout(connect, delay);
  }

  // Leaves the current stream (if any) and opens one without `since`: the
  // snapshot that follows replaces the whole state. The board stays up and
  // "Live" meanwhile; a failure is reported by the new connection.
  function refresh() {
    conn.refreshSoon = false;
    conn.fresh = true;
    const old = conn.ws;
    conn.ws = null;
    if (old) old.close(1000, 'refresh');
    conn.attempt = 0;
    connect();
  }

  function onClose(event) {
    conn.ws = null;
    setLive(false);
    if (event.code === 4001) {
      showNotice('Tokenet gjelder ikke lenger. Lag et nytt dashbord-token og ' +
                 'åpne siden som ', '/dashboard#token=…', '.');
    } else if (!conn.everHello && !readToken()) {
      showNoToken();
    } else if (!conn.everHello && conn.attempt >= 2) {
      showNotice('Får ikke kontakt med servicedesken. Sjekk at tokenet i ' +
                 'adressen er gyldig (', '/dashboard#token=…', ').');
    }
    scheduleReconnect();
  }

  function onMessage(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;  // not ours to show; the stream goes on
    }
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'hello':
        onHello(message);
        break;
      case 'snapshot':
        onSnapshot(message);
        break;
      case 'events':
        if (conn.gotHello && !conn.awaitingSnapshot &&
            Array.isArray(message.events)) {
          onEvents(message.events);
        }
        break;
      case 'position':
        if (state.ready && !conn.awaitingSnapshot) noteSeq(message.seq);
        break;
      default:
        break;  // a newer daemon's message: skipped
    }
  }

  function onHello(hello) {
    conn.gotHello = true;
    conn.everHello = true;
    conn.attempt = 0;
    hideNotice();
    if (hello.recovered === true && state.ready) {
      if (hello.epoch) state.epoch = hello.epoch;
      setLive(true);
    } else {
      conn.awaitingSnapshot = true;
      state.epoch = hello.epoch || '';
    }
  }

  function onSnapshot(snapshot) {
    if (!conn.gotHello) return;
    resetState();
    if (snapshot.board && typeof snapshot.board === 'object') {
      applyBoard(snapshot.board);
    } else if (Array.isArray(snapshot.tickets)) {
      // A staff session (cookie) gets tickets, not a board: show those.
      for (const ticket of snapshot.tickets) {
        if (ticket && ticket.id && !DONE.has(ticket.status)) {
          state.open.set(ticket.id, ticket);
          state.versions.set(ticket.id, count(ticket.version));
        }
      }
      state.openTotal = state.open.size;
    }
    state.lastSeq = 0n;
    noteSeq(snapshot.seq);
    if (snapshot.board) noteSeq(snapshot.board.seq);
    state.ready = true;
    conn.awaitingSnapshot = false;
    state.lastUpdate = Date.now();
    setLive(true);
    render();
  }

  function onEvents(events) {
    let changed = false;
    for (const event of events) {
      if (!event || typeof event !== 'object') continue;
      const seq = toSeq(event.seq);
      if (seq <= state.lastSeq) continue;  // already applied
      state.lastSeq = seq;
      applyEvent(event);
      changed = true;
    }
    if (changed) {
      state.lastUpdate = Date.now();
      render();
    }
    if (conn.refreshSoon) refresh();
  }

  // ------------------------------------------------------------ applying

  function resetState() {
    state.ready = false;
    state.lastSeq = 0n;
    state.dayStart = 0;
    state.municipalities = new Map();
    state.open = new Map();
    state.versions = new Map();
    state.openTotal = 0;
    state.alerts = [];
    state.vakt = null;
    state.staffNames = new Map();
  }

  function municipality(id) {
    let m = state.municipalities.get(id);
    if (!m) {
      m = {
        id,
        name: id,
        createdToday: 0,
        resolvedToday: 0,
        firstResponsesToday: 0,
        firstResponsesMetToday: 0,
      };
      state.municipalities.set(id, m);
    }
    return m;
  }

  // A proto map arrives as a JSON object; an array of {key, value} is
  // accepted too.
  function toNameMap(value) {
    const names = new Map();
    if (Array.isArray(value)) {
      for (const entry of value) {
        if (entry && typeof entry.key === 'string') {
          names.set(entry.key, String(entry.value ?? ''));
        }
      }
    } else if (value && typeof value === 'object') {
      for (const [key, name] of Object.entries(value)) {
        names.set(key, String(name ?? ''));
      }
    }
    return names;
  }

  function applyBoard(board) {
    if (board.epoch) state.epoch = board.epoch;
    const at = parseTime(board.at);
    if (!Number.isNaN(at)) state.clockOffset = at - Date.now();
    const dayStart = parseTime(board.dayStart);
    state.dayStart = Number.isNaN(dayStart) ? 0 : dayStart;
    for (const m of board.municipalities || []) {
      if (!m || !m.id) continue;
      state.municipalities.set(m.id, {
        id: m.id,
        name: m.name || m.id,
        createdToday: count(m.createdToday),
        resolvedToday: count(m.resolvedToday),
        firstResponsesToday: count(m.firstResponsesToday),
        firstResponsesMetToday: count(m.firstResponsesMetToday),
      });
    }
    for (const ticket of board.open || []) {
      if (!ticket || !ticket.id) continue;
      state.versions.set(ticket.id, count(ticket.version));
      if (!DONE.has(ticket.status)) state.open.set(ticket.id, ticket);
    }
    state.openTotal = Math.max(count(board.openTotal), state.open.size);
    state.alerts = [];
    for (const a of board.alerts || []) {
      if (!a) continue;
      state.alerts.push({
        seq: String(a.seq ?? ''),
        at: a.at || '',
        ticketId: a.ticketId || '',
        municipality: a.municipality || '',
        kind: a.kind || '',
        breached: a.breached === true,
        priority: a.priority || '',
        fresh: false,
      });
    }
    state.vakt = board.vakt && typeof board.vakt === 'object' ? board.vakt : null;
    state.staffNames = toNameMap(board.staffNames);
  }

  // Whether this event made the ticket's first response: its clock stopped
  // at the event (the contract: stoppedAt == at). The clock's instants are
  // whole seconds while events' are finer, so the same second counts; and a
  // ticket we held with the clock still running settles it.
  function firstResponseMadeIn(event, response, previous) {
    if (!response.stoppedAt) return false;
    const before = previous && previous.sla && previous.sla.firstResponse;
    if (before) return !before.stoppedAt;
    if (response.stoppedAt === event.at) return true;
    const stopped = parseTime(response.stoppedAt);
    const at = parseTime(event.at);
    return !Number.isNaN(stopped) && !Number.isNaN(at) &&
        Math.floor(stopped / 1000) === Math.floor(at / 1000);
  }

  function applyEvent(event) {
    const at = parseTime(event.at);
    if (!Number.isNaN(at) && at - Date.now() > state.clockOffset) {
      state.clockOffset = at - Date.now();  // the daemon's clock moved on
    }
    if (event.vaktChanged || event.staffChanged) conn.refreshSoon = true;

    const today = !Number.isNaN(at) && at >= state.dayStart;
    const ticket = event.ticket && typeof event.ticket === 'object' ?
        event.ticket :
        null;
    if (event.slaWarning || event.slaBreached) noteAlert(event, ticket, today);
    if (!ticket || !ticket.id) return;

    const version = count(ticket.version) || count(event.ticketVersion);
    const known = state.versions.get(ticket.id);
    if (known !== undefined && version <= known) return;  // already shown
    state.versions.set(ticket.id, version);

    const previous = state.open.get(ticket.id);
    const created = Boolean(event.ticketCreated);
    const after = ticket.status || '';
    const before = created ? '' : (ticket.statusBefore || after);
    const openAfter = after !== '' && !DONE.has(after);
    const openBefore = before !== '' && !DONE.has(before);
    if (openAfter && !openBefore) state.openTotal += 1;
    if (!openAfter && openBefore) {
      state.openTotal = Math.max(0, state.openTotal - 1);
    }
    if (openAfter) {
      state.open.set(ticket.id, ticket);
    } else {
      state.open.delete(ticket.id);
    }
    if (state.openTotal < state.open.size) state.openTotal = state.open.size;

    if (!today || !ticket.municipality) return;
    const m = municipality(ticket.municipality);
    if (created) m.createdToday += 1;
    if (after === 'resolved' && before !== 'resolved') m.resolvedToday += 1;
    const response = ticket.sla && ticket.sla.firstResponse;
    if (response && firstResponseMadeIn(event, response, previous)) {
      m.firstResponsesToday += 1;
      if (response.state === 'met') m.firstResponsesMetToday += 1;
    }
  }

  function noteAlert(event, ticket, today) {
    if (!today) return;
    const seq = String(event.seq ?? '');
    if (state.alerts.some((a) => a.seq === seq)) return;
    const body = event.slaBreached || event.slaWarning || {};
    state.alerts.unshift({
      seq,
      at: event.at || '',
      ticketId: event.ticketId || (ticket && ticket.id) || '',
      municipality: (ticket && ticket.municipality) || '',
      kind: body.kind || '',
      breached: Boolean(event.slaBreached),
      priority: (ticket && ticket.priority) || '',
      fresh: true,
    });
    if (state.alerts.length > MAX_ALERTS) state.alerts.length = MAX_ALERTS;
  }

  // ------------------------------------------------------------ time checks

  // Once a second: the figures are for one Oslo day and the vakt for one
  // shift; past either, the daemon's snapshot is the truth to start from.
  function checkBoundaries() {
    if (!state.ready || !conn.live || conn.refreshSoon) return;
    const now = serverNow();
    if (state.dayStart) {
      const day = fmtOsloDate.format(now);
      if (day !== fmtOsloDate.format(state.dayStart) &&
          day !== conn.refreshedDay) {
        conn.refreshedDay = day;
        refresh();
        return;
      }
    }
    const vakt = state.vakt;
    if (!vakt) return;
    const boundary = vakt.covered && vakt.shift ? vakt.shift.end :
                                                  vakt.next && vakt.next.start;
    const when = parseTime(boundary);
    if (!Number.isNaN(when) && now >= when + 1000 &&
        boundary !== conn.refreshedBoundary) {
      conn.refreshedBoundary = boundary;
      refresh();
    }
  }

  // ------------------------------------------------------------ DOM helpers

  // Makes an element; `text` goes in as text, never as markup.
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function showNotice(before, code, after) {
    const notice = $('notice');
    const key = `${before}${code}${after}`;
    if (conn.notice === key) return;
    conn.notice = key;
    notice.replaceChildren(document.createTextNode(before), el('code', '', code),
                           document.createTextNode(after));
    notice.classList.remove('hidden');
  }

  function showNoToken() {
    showNotice('Denne skjermen trenger et dashbord-token. Åpne siden som ',
               '/dashboard#token=…',
               ' med et token for en konto med rollen «dashboard».');
  }

  function hideNotice() {
    conn.notice = '';
    $('notice').classList.add('hidden');
  }

  function setLive(live) {
    conn.live = live;
    const status = document.querySelector('[data-testid="status"]');
    status.classList.toggle('live', live);
    status.classList.toggle('offline', !live);
    status.dataset.live = live ? 'true' : 'false';
    status.querySelector('.status-text').textContent =
        live ? 'Live' : 'Ikke live – kobler til igjen…';
    renderClock();
  }

  function priorityName(priority) {
    return PRIORITY_NAMES[priority] || priority || '–';
  }

  function municipalityName(id) {
    const m = state.municipalities.get(id);
    return (m && m.name) || id || '–';
  }

  function staffName(id) {
    return state.staffNames.get(id) || id;
  }

  // "12 min", "2 t 5 min", "3 døgn": how long, readable from afar.
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
    return `${Math.floor(hours / 24)} døgn`;
  }

  // ------------------------------------------------------------ rendering

  function render() {
    renderClock();
    renderOpen();
    renderToday();
    renderDue();
    renderVakt();
    renderUnassigned();
    renderAlerts();
  }

  function renderClock() {
    const now = serverNow();
    $('now').textContent = `${fmtDay.format(now)} ${fmtTimeSec.format(now)}`;
    $('updated').textContent = state.lastUpdate ?
        `Sist oppdatert ${
            fmtTimeSec.format(state.lastUpdate + state.clockOffset)}` :
        'Ikke oppdatert ennå';
  }

  // The municipalities in the board's order, then any others tickets name.
  function municipalityIds() {
    const ids = [...state.municipalities.keys()];
    const known = new Set(ids);
    for (const ticket of state.open.values()) {
      if (ticket.municipality && !known.has(ticket.municipality)) {
        known.add(ticket.municipality);
        ids.push(ticket.municipality);
      }
    }
    return ids;
  }

  function numberCell(value, className) {
    const cell = el('td', `num ${className || ''}`, value);
    cell.classList.add(value ? 'some' : 'zero');
    return cell;
  }

  function renderOpen() {
    const counts = new Map();
    const totals = {critical: 0, high: 0, normal: 0, low: 0, all: 0};
    for (const ticket of state.open.values()) {
      let row = counts.get(ticket.municipality);
      if (!row) {
        row = {critical: 0, high: 0, normal: 0, low: 0, all: 0};
        counts.set(ticket.municipality, row);
      }
      if (PRIORITIES.includes(ticket.priority)) {
        row[ticket.priority] += 1;
        totals[ticket.priority] += 1;
      }
      row.all += 1;
      totals.all += 1;
    }
    const rows = [];
    for (const id of municipalityIds()) {
      const row = counts.get(id) || {critical: 0, high: 0, normal: 0, low: 0,
                                     all: 0};
      const tr = el('tr');
      tr.dataset.municipality = id;
      tr.dataset.open = String(row.all);
      tr.append(el('td', 'name', municipalityName(id)));
      for (const p of PRIORITIES) tr.append(numberCell(row[p], `prio-${p}`));
      tr.append(numberCell(row.all, 'total'));
      rows.push(tr);
    }
    $('open-body').replaceChildren(...rows);
    const foot = el('tr');
    if (state.ready) {
      foot.append(el('td', 'name', 'Alle'));
      for (const p of PRIORITIES) {
        foot.append(numberCell(totals[p], `prio-${p}`));
      }
      foot.append(numberCell(totals.all, 'total'));
    }
    $('open-foot').replaceChildren(foot);
    $('open-total').textContent = state.ready ? String(state.openTotal) : '';
    $('open-total').dataset.total = String(state.openTotal);
    const note = $('open-note');
    if (state.ready && state.openTotal > state.open.size) {
      note.textContent = `Tabellen teller de ${state.open.size} sakene ` +
          `nærmest fristen av ${state.openTotal} åpne.`;
      note.classList.remove('hidden');
    } else {
      note.classList.add('hidden');
    }
  }

  function renderToday() {
    const rows = [];
    for (const id of municipalityIds()) {
      const m = state.municipalities.get(id) || municipality(id);
      const tr = el('tr');
      tr.dataset.municipality = id;
      tr.dataset.created = String(m.createdToday);
      tr.dataset.resolved = String(m.resolvedToday);
      tr.dataset.firstResponses = String(m.firstResponsesToday);
      tr.dataset.firstResponsesMet = String(m.firstResponsesMetToday);
      tr.append(el('td', 'name', m.name),
                numberCell(m.createdToday, ''),
                numberCell(m.resolvedToday, ''));
      const cell = el('td', 'attain');
      const box = el('div', 'attain-cell');
      const total = m.firstResponsesToday;
      const met = Math.min(m.firstResponsesMetToday, total);
      if (total > 0) {
        const share = met / total;
        box.append(el('span', 'pct', `${Math.round(share * 100)} %`));
        const meter = el('meter');
        meter.min = 0;
        meter.max = 1;
        meter.low = ATTAINMENT_LOW;
        meter.optimum = 1;
        meter.value = share;
        box.append(meter, el('span', 'of', `${met} av ${total}`));
        if (share < ATTAINMENT_LOW) box.classList.add('low');
      } else {
        box.classList.add('none');
        box.append(el('span', 'pct', '–'),
                   el('span', 'of', 'ingen ennå'));
      }
      cell.append(box);
      tr.append(cell);
      rows.push(tr);
    }
    $('today-body').replaceChildren(...rows);
  }

  // The clock that falls due first of those counting now, if any.
  function nearestClock(ticket) {
    const sla = ticket.sla || {};
    let best = null;
    for (const clock of [sla.firstResponse, sla.resolution]) {
      if (!clock || !clock.counting || !clock.dueAt) continue;
      const due = parseTime(clock.dueAt);
      if (Number.isNaN(due)) continue;
      if (!best || due < best.due) {
        best = {clock, due, warningAt: parseTime(clock.warningAt)};
      }
    }
    return best;
  }

  function priorityRank(priority) {
    const i = PRIORITIES.indexOf(priority);
    return i < 0 ? PRIORITIES.length : i;
  }

  function renderDue() {
    const now = serverNow();
    const items = [];
    for (const ticket of state.open.values()) {
      items.push({ticket, next: nearestClock(ticket)});
    }
    items.sort((a, b) => {
      if (a.next && b.next) return a.next.due - b.next.due;
      if (a.next || b.next) return a.next ? -1 : 1;
      return priorityRank(a.ticket.priority) -
          priorityRank(b.ticket.priority) ||
          (parseTime(a.ticket.createdAt) || 0) -
          (parseTime(b.ticket.createdAt) || 0);
    });
    const rows = items.slice(0, MAX_DUE_ROWS).map(
        (item) => dueRow(item.ticket, item.next, now));
    $('due-list').replaceChildren(...rows);
    $('due-empty').classList.toggle('hidden', !state.ready || rows.length > 0);
  }

  function dueRow(ticket, next, now) {
    const li = el('li', 'due-row');
    li.dataset.testid = `ticket-${ticket.id}`;
    li.dataset.status = ticket.status || '';
    li.dataset.priority = ticket.priority || '';
    if (PRIORITIES.includes(ticket.priority)) {
      li.classList.add(`prio-${ticket.priority}`);
    }

    li.append(el('span', 'id', `#${ticket.id}`));
    const what = el('span', 'what');
    what.append(el('span', `badge prio-${ticket.priority || 'none'}`,
                   priorityName(ticket.priority)),
                document.createTextNode(
                    ticket.serviceName || ticket.serviceId || 'Sak'));
    li.append(what);
    const who = ticket.assignee ? staffName(ticket.assignee) : 'ikke tildelt';
    li.append(el('span', 'meta',
                 `${municipalityName(ticket.municipality)} · ${
                     STATUS_NAMES[ticket.status] || ticket.status} · ${who}`));

    const when = el('span', 'when');
    if (next) {
      const left = next.due - now;
      const breached = left < 0 || next.clock.state === 'breached';
      if (breached) {
        li.classList.add('breached');
        when.append(`brutt for ${duration(Math.max(0, -left))}`);
      } else {
        if (next.clock.warned ||
            (!Number.isNaN(next.warningAt) && now >= next.warningAt)) {
          li.classList.add('warned');
        }
        when.append(`om ${duration(left)}`);
      }
      when.append(el('small', '',
                     `${CLOCK_NAMES[next.clock.kind] || 'frist'} ${
                         fmtTime.format(next.due)}`));
    } else {
      li.classList.add('paused');
      const stopped = ticket.status === 'waiting_on_user' ||
          ticket.status === 'waiting_on_supplier';
      when.append(stopped ? 'pauset' : 'ingen frist');
    }
    li.append(when);
    return li;
  }

  function vaktRow(grid, role, person, id) {
    const name = (person && person.name) || (id ? staffName(id) : '');
    if (!name) return;
    grid.append(el('span', 'role', role));
    const line = el('span');
    line.append(el('span', 'who', name));
    if (person && person.phone) {
      line.append(' ', el('span', 'phone', person.phone));
    }
    grid.append(line);
  }

  function renderVakt() {
    const box = $('vakt-body');
    const vakt = state.vakt;
    if (!state.ready) {
      box.replaceChildren(el('p', 'empty', '–'));
      return;
    }
    const parts = [];
    const grid = el('div', 'vakt-grid');
    if (vakt && vakt.covered && vakt.shift) {
      vaktRow(grid, 'Primær', vakt.primary, vakt.shift.primary);
      vaktRow(grid, 'Backup', vakt.backup, vakt.shift.backup);
      const end = parseTime(vakt.shift.end);
      if (!Number.isNaN(end)) {
        grid.append(el('span', 'role', 'Til'),
                    el('span', 'when', fmtWhen.format(end)));
      }
      if (vakt.shift.note) {
        grid.append(el('span', 'role', 'Merknad'),
                    el('span', 'when', vakt.shift.note));
      }
    } else {
      parts.push(el('p', 'vakt-none', 'Ingen på vakt nå'));
    }
    const next = vakt && vakt.next;
    if (next && next.start) {
      let who = staffName(next.primary || '') || '–';
      if (next.backup) who += ` (backup ${staffName(next.backup)})`;
      const start = parseTime(next.start);
      const end = parseTime(next.end);
      let when = Number.isNaN(start) ? '' : fmtWhen.format(start);
      if (!Number.isNaN(end)) {
        // A shift within a day shows its end as a time; longer ones the day.
        const sameDay = !Number.isNaN(start) &&
            fmtOsloDate.format(start) === fmtOsloDate.format(end);
        when += ` – ${sameDay ? fmtTime.format(end) : fmtWhen.format(end)}`;
      }
      const line = el('span', 'next');
      line.append(el('span', 'who', who), el('br'), when);
      grid.append(el('span', 'role', 'Neste'), line);
    } else if (vakt) {
      grid.append(el('span', 'role', 'Neste'),
                  el('span', 'next', 'ingen vakt lagt inn'));
    }
    if (grid.childElementCount) parts.push(grid);
    box.replaceChildren(...parts);
  }

  function renderUnassigned() {
    const now = serverNow();
    const waiting = [...state.open.values()]
                        .filter((t) => !t.assignee)
                        .sort((a, b) => (parseTime(a.createdAt) || 0) -
                                  (parseTime(b.createdAt) || 0));
    const rows = waiting.slice(0, MAX_UNASSIGNED_ROWS).map((ticket) => {
      const li = el('li');
      li.dataset.ticket = ticket.id;
      li.dataset.reason = ticket.unassignedReason || '';
      const what = el('span', 'line');
      what.append(el('span', 'id', `#${ticket.id}`),
                  ` ${municipalityName(ticket.municipality)} · ${
                      ticket.serviceName || ticket.serviceId || 'sak'}`);
      const why = el('span', 'line');
      why.append(el('span', 'reason',
                    REASONS[ticket.unassignedReason] || 'ikke fordelt ennå'));
      const created = parseTime(ticket.createdAt);
      if (!Number.isNaN(created)) {
        why.append(' ',
                   el('span', 'age', `· venter ${duration(now - created)}`));
      }
      li.append(what, why);
      return li;
    });
    $('unassigned-list').replaceChildren(...rows);
    $('unassigned-count').textContent = state.ready ? String(waiting.length) :
                                                      '';
    $('unassigned-empty').classList.toggle('hidden',
                                           !state.ready || rows.length > 0);
  }

  function renderAlerts() {
    const rows = state.alerts.map((alert) => {
      const li = el('li', `alert ${alert.breached ? 'breached' : 'warning'}`);
      if (alert.fresh) {
        li.classList.add('fresh');
        alert.fresh = false;
      }
      li.dataset.ticket = alert.ticketId;
      const at = parseTime(alert.at);
      li.append(el('span', 'time', Number.isNaN(at) ? '' : fmtTime.format(at)),
                ' ',
                el('span', 'alert-kind', alert.breached ? 'Brudd' : 'Varsel'),
                ' ', el('span', 'id', `#${alert.ticketId}`),
                ` ${municipalityName(alert.municipality)} · ${
                    CLOCK_NAMES[alert.kind] || alert.kind || 'frist'}`);
      if (alert.priority) li.append(` · ${priorityName(alert.priority)}`);
      return li;
    });
    $('alert-list').replaceChildren(...rows);
    $('alert-empty').classList.toggle('hidden',
                                      !state.ready || rows.length > 0);
  }

  // ------------------------------------------------------------ start

  function tick() {
    renderClock();
    if (state.ready) {
      renderDue();
      renderUnassigned();
    }
    checkBoundaries();
  }

  function start() {
    setLive(false);
    $('updated').textContent = 'Ikke oppdatert ennå';
    document.querySelector('[data-testid="status"] .status-text').textContent =
        'Kobler til…';
    render();
    window.addEventListener('hashchange', () => {
      hideNotice();
      conn.attempt = 0;
      refresh();
    });
    setInterval(tick, 1000);
    connect();
  }

  start();
})();

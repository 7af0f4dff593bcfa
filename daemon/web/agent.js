// The agent view (GET /agent): IT staff's queues and one ticket with
// everything needed to work it. Views by hash: #/ (Mine saker, and for
// dispatchers Ufordelte saker), #/sak/<id>. One websocket (the staff
// view: every event) moves the queues and the open ticket without a
// reload; deadlines count down every second, as text only. Uses
// window.Helpdesk from common.js.
'use strict';

(() => {
  const H = window.Helpdesk;
  const {$, el, api, announce, fact} = H;

  const QUEUE_LIMIT = 200;
  // At most this many pages of a queue's list (2,000 tickets). A list is
  // newest first, so a queue cut short misses its oldest tickets, those
  // nearest their deadlines: it says so (renderQueue). A page the daemon
  // stopped short at its bound of steps (two filters far apart) is a page
  // here too.
  const QUEUE_PAGES = 10;
  // The statuses of "Mine saker", one list each: a list by assignee alone
  // would also hold every resolved and closed ticket of one's past, and
  // push an old open one past the pages read.
  const OPEN_STATUSES = ['assigned', 'in_progress', 'waiting_on_user',
                         'waiting_on_supplier'];
  // «A», «B» og «C».
  const LIST_FORMAT = new Intl.ListFormat('nb', {type: 'conjunction'});
  const EVENTS_LIMIT = 1000;
  const EVENTS_PAGES = 5;
  const DESK_DAY_SECONDS = 27000;  // a desk day is 7.5 h

  // Who or what made a change, when it was not a person.
  const SYSTEM_ACTORS = {
    dispatch: 'Automatisk fordeling',
    sla: 'SLA-overvåkingen',
    retention: 'Sletterutinen',
    paging: 'Varslingen',
  };
  // Assignment.chosenBy: the rule that decided.
  const CHOSEN_BY = {
    last_helper: 'hjalp innmelderen sist',
    own_municipality: 'kommunens egen IT-ansatt',
    lowest_load: 'minst å gjøre',
    least_recent: 'lengst siden forrige sak',
    id: 'valgt etter id blant likeverdige',
    only_one: 'den eneste som passet',
    vakt_primary: 'på vakt (primærvakt)',
    vakt_backup: 'på vakt (reservevakt)',
    manual: 'valgt av fordeler',
    taken: 'tok saken selv',
  };
  const ABSENCE_NAMES = {
    holiday: 'ferie',
    sick: 'sykdom',
    course: 'kurs',
    leave: 'permisjon',
    other: 'fravær',
  };
  const NO_STATUS_MOVE = {
    new: 'En ny sak får status «tildelt» når noen tar den eller får den ' +
        'tildelt.',
    closed: 'Saken er lukket og kan ikke endres.',
  };

  const state = {
    account: null,
    staffId: '',
    dispatcher: false,
    municipalities: new Map(),  // id -> Municipality
    staff: new Map(),           // id -> StaffMember
    staffVersion: 0,            // bumps when `staff` is read anew
    skills: new Map(),          // id -> name, read when first needed
    skillsLoad: null,
    mine: new Map(),            // id -> queue row
    unassigned: new Map(),
    loaded: {mine: false, unassigned: false},
    failed: {mine: null, unassigned: null},
    partial: {mine: [], unassigned: []},  // the statuses cut at QUEUE_PAGES
    fetching: new Set(),        // ids read to fill a queue row
    renderQueued: false,
    events: [],                 // the open ticket's history
    eventsLoaded: false,
    staffTimer: 0,
    ticker: 0,
    pending: new Map(),         // form id -> {key, body}
  };

  // ------------------------------------------------------------ names

  // A person by name: the staff list's, else `name` (what the daemon sent
  // with a comment or an assignment), else the id.
  function staffName(id, name) {
    if (!id) return '';
    const member = state.staff.get(id);
    return member && member.name ? member.name : name || id;
  }

  // The assignee of ticket `t` by name.
  function assigneeName(t) {
    return staffName(t.assignee, H.assignedName(t));
  }

  function actorName(id, name) {
    if (!id) return 'Ukjent';
    if (SYSTEM_ACTORS[id]) return SYSTEM_ACTORS[id];
    if (id === state.account.id) return 'Du';
    return staffName(id, name);
  }

  function municipalityName(id) {
    const m = state.municipalities.get(id);
    return (m && m.name) || id || 'Ukjent kommune';
  }

  function locationName(municipality, id) {
    if (!id) return '';
    const m = state.municipalities.get(municipality);
    const found = m && (m.locations || []).find((l) => l.id === id);
    return found ? found.name : id;
  }

  function skillName(id) {
    return state.skills.get(id) || id;
  }

  // A comment's author; name: the comment's authorName.
  function authorName(id, name) {
    const t = ticketView.ticket;
    if (!id) return 'Ukjent';
    if (id === state.account.id) return 'Du';
    if (state.staff.has(id)) return staffName(id, name);
    if (t && id === t.reporter) return `${name || id} (innmelder)`;
    return name || id;
  }

  function availability(member) {
    const now = member.now || {};
    if (now.absent) return `borte (${ABSENCE_NAMES[now.absent] || 'fravær'})`;
    if (now.onVakt) return 'på vakt';
    if (now.atWork) return 'på jobb';
    return 'ikke på jobb nå';
  }

  // "1 t", "2 arbeidsdager" (desk days of 7.5 h), "2 t" (24x7).
  function targetText(seconds, calendar) {
    const s = Number(seconds) || 0;
    if (calendar === 'desk' && s >= DESK_DAY_SECONDS &&
        s % DESK_DAY_SECONDS === 0) {
      const days = s / DESK_DAY_SECONDS;
      return days === 1 ? '1 arbeidsdag' : `${days} arbeidsdager`;
    }
    return H.duration(s * 1000);
  }

  // ------------------------------------------------------------ reference data

  async function loadMunicipalities() {
    try {
      const answer = await api.get('/api/v1/municipalities');
      state.municipalities = new Map(
          ((answer && answer.municipalities) || []).map((m) => [m.id, m]));
      scheduleQueueRender();
      ticketView.render();
    } catch {
      // Names fall back to ids; the page works without them.
    }
  }

  async function loadStaff() {
    try {
      const answer = await api.get('/api/v1/staff');
      state.staff = new Map(((answer && answer.staff) || []).map((s) => [s.id, s]));
      state.staffVersion += 1;
      ticketView.render();
      renderHistory();
    } catch {
      // Names fall back to staff ids; the assign list stays empty.
    }
  }

  function scheduleStaffReload() {
    clearTimeout(state.staffTimer);
    state.staffTimer = setTimeout(loadStaff, 500);
  }

  // The daemon's "now" (a drill or test may run it at another time than
  // this browser's clock): the deadlines count from it.
  async function syncClock() {
    try {
      const vakt = await api.get('/api/v1/vakt/now');
      H.clock.set(H.parseTime(vakt && vakt.at));
    } catch {
      // Our own clock, then, moved on by the events' times.
    }
  }

  function loadSkills() {
    if (!state.skillsLoad) {
      state.skillsLoad = api.get('/api/v1/catalogue')
          .then((tree) => {
            for (const s of (tree && tree.skills) || []) {
              state.skills.set(s.id, s.name);
            }
            renderAssignment();
          })
          .catch(() => {
            state.skillsLoad = null;
          });
    }
    return state.skillsLoad;
  }

  // ------------------------------------------------------------ routing

  function route(r, options) {
    H.setNavCurrent(r.name === 'home' ? 'home' : '');
    if (r.name === 'home') {
      showQueues(options);
    } else if (r.name === 'ticket') {
      showTicket(r.id, options);
    } else if (r.name === 'new') {
      // IT staff file tickets for callers through the API; the portal's
      // form is for employees. Home instead of a dead end.
      location.replace('#/');
    } else {
      H.showMissing('Fant ikke siden', 'Denne adressen finnes ikke.', options);
    }
  }

  // ------------------------------------------------------------ queues

  function rowFromTicket(t) {
    return {
      id: t.id,
      title: t.title || '',
      municipality: t.municipality || '',
      serviceName: (t.service && t.service.name) || t.serviceId || '',
      priority: t.priority || '',
      status: t.status || '',
      assignee: t.assignee || '',
      unassignedReason: (t.assignment && t.assignment.unassignedReason) || '',
      sla: t.sla || null,
      version: t.version || 0,
      createdAt: t.createdAt || '',
    };
  }

  // An event's TicketSummary moves a row on (it has no title).
  function rowFromSummary(summary, previous) {
    return {
      id: summary.id,
      title: previous ? previous.title : '',
      municipality: summary.municipality || '',
      serviceName: summary.serviceName || summary.serviceId ||
          (previous ? previous.serviceName : ''),
      priority: summary.priority || '',
      status: summary.status || '',
      assignee: summary.assignee || '',
      unassignedReason: summary.assignee ? '' : summary.unassignedReason || '',
      sla: summary.sla || null,
      version: summary.version || 0,
      createdAt: summary.createdAt || (previous ? previous.createdAt : ''),
    };
  }

  function inMine(row) {
    return row.assignee === state.staffId && !H.DONE.has(row.status);
  }

  function inUnassigned(row) {
    return state.dispatcher && row.status === 'new' && !row.assignee;
  }

  function showQueues(options) {
    H.showView('home', 'Køer', options);
    $('unassigned-section').hidden = !state.dispatcher;
    renderQueues();
    loadQueues();
  }

  // A list filter's tickets, following the cursor up to QUEUE_PAGES
  // pages; `complete` is false when the list goes on past them.
  async function listTickets(filter) {
    const tickets = [];
    let cursor = '';
    for (let page = 0; page < QUEUE_PAGES; page += 1) {
      const params = new URLSearchParams({...filter, limit: String(QUEUE_LIMIT)});
      if (cursor) params.set('cursor', cursor);
      const answer = await api.get(`/api/v1/tickets?${params}`);
      tickets.push(...((answer && answer.tickets) || []));
      cursor = (answer && answer.nextCursor) || '';
      if (!cursor) break;
    }
    return {tickets, complete: !cursor};
  }

  // The list is the truth as of its answer; a row an event moved further
  // meanwhile keeps the newer version. `cut`: the statuses whose lists
  // went on past QUEUE_PAGES.
  function replaceQueue(name, tickets, member, cut) {
    const old = state[name];
    const next = new Map();
    for (const t of tickets) {
      if (!t || !t.id) continue;
      let row = rowFromTicket(t);
      const known = old.get(t.id);
      if (known && known.version > row.version) row = known;
      if (member(row)) next.set(row.id, row);
    }
    state[name] = next;
    state.loaded[name] = true;
    state.failed[name] = null;
    // Said once when a queue becomes cut (the state line is redrawn at
    // every event, so it is not a live region).
    if (cut.length && !state.partial[name].length) {
      announce(`${QUEUES[name].title} er for lang til å vises hel`);
    }
    state.partial[name] = cut;
  }

  async function loadQueue(name, filters, member) {
    try {
      const lists = await Promise.all(filters.map(listTickets));
      replaceQueue(name, lists.flatMap((l) => l.tickets), member,
                   filters.filter((f, i) => !lists[i].complete)
                       .map((f) => f.status));
    } catch (error) {
      if (error.status === 401) return;
      state.failed[name] = error;
    }
    scheduleQueueRender();
  }

  function loadQueues() {
    const mine = OPEN_STATUSES.map((status) => ({assignee: state.staffId,
                                                 status}));
    const jobs = [loadQueue('mine', mine, inMine)];
    if (state.dispatcher) {
      jobs.push(loadQueue('unassigned', [{status: 'new'}], inUnassigned));
    }
    return Promise.all(jobs);
  }

  function scheduleQueueRender() {
    if (state.renderQueued) return;
    state.renderQueued = true;
    requestAnimationFrame(() => {
      state.renderQueued = false;
      renderQueues();
    });
  }

  // Soonest deadline first; tickets with no deadline counting last, the
  // most urgent and oldest of them first.
  function byDeadline(a, b) {
    const x = H.nearestClock(a);
    const y = H.nearestClock(b);
    if (x && y && x.due !== y.due) return x.due - y.due;
    if (Boolean(x) !== Boolean(y)) return x ? -1 : 1;
    return H.PRIORITIES.indexOf(a.priority) - H.PRIORITIES.indexOf(b.priority) ||
        (H.parseTime(a.createdAt) || 0) - (H.parseTime(b.createdAt) || 0);
  }

  // Each queue: its rows' list, its state line (loading, empty, failed)
  // and its count beside the heading.
  const QUEUES = {
    mine: {list: 'my-queue', state: 'my-queue-state', count: 'my-queue-count',
           title: 'Mine saker', empty: 'Ingen åpne saker er tildelt deg.'},
    unassigned: {list: 'unassigned-queue', state: 'unassigned-state',
                 count: 'unassigned-count', title: 'Ufordelte saker',
                 empty: 'Ingen saker venter på fordeling.'},
  };

  function renderQueues() {
    renderQueue('mine');
    if (state.dispatcher) renderQueue('unassigned');
  }

  function renderQueue(name) {
    const ids = QUEUES[name];
    const list = $(ids.list);
    const stateNode = $(ids.state);
    const countNode = $(ids.count);
    const emptyText = ids.empty;
    if (!list) return;
    const rows = [...state[name].values()].sort(byDeadline);
    H.updateRows(list, rows.map((r) => queueRow(r, name)));
    const cut = state.loaded[name] ? state.partial[name] : [];
    H.setText(countNode, state.loaded[name] ?
                             `(${rows.length}${cut.length ? '+' : ''})` : '');
    const failed = state.failed[name];
    if (failed) {
      showState(stateNode, 'notice problem', ...H.problemNodes(failed), ' ',
                readAgain('Prøv igjen'));
    } else if (!state.loaded[name]) {
      showState(stateNode, 'loading', 'Henter saker…');
    } else if (cut.length) {
      // A list was cut at QUEUE_PAGES: its oldest are not here, and
      // they stay away as the rows here are worked off, until a new read.
      const names = LIST_FORMAT.format(
          cut.map((status) => `«${H.statusName(status)}»`));
      const which = name === 'mine' ?
          `av sakene med status ${names} vises bare de nyeste` :
          'bare de nyeste sakene vises';
      showState(stateNode, 'notice warn',
                `Køen er for lang til å hentes hel: ${which}. Eldre saker ` +
                'vises ikke, og de kan ha nærmere frist. ',
                readAgain('Hent køen på nytt'));
    } else if (!rows.length) {
      showState(stateNode, 'empty', emptyText);
    } else {
      stateNode.hidden = true;
    }
    tick();
  }

  // Shows a queue's state line, and leaves it as it is when it already
  // shows the same: it is drawn again at every event, and a new button
  // would take the focus from one a keyboard user is on.
  function showState(node, className, ...children) {
    const next = node.cloneNode(false);
    next.className = className;
    next.hidden = false;
    next.append(...children);
    if (node.isEqualNode(next)) return;
    node.className = className;
    node.hidden = false;
    node.replaceChildren(...children);
  }

  // A button that reads the queues again.
  function readAgain(text) {
    const button = el('button', {type: 'button', class: 'button-quiet'}, text);
    button.addEventListener('click', () => loadQueues());
    return button;
  }

  function queueRow(r, queue) {
    const li = el('li', {
      class: `ticket-row queue-row prio-${r.priority}`,
      data: {testid: 'ticket-row', ticketId: r.id, status: r.status,
             priority: r.priority},
    });
    li.append(el('a', {class: 'ticket-link', href: `#/sak/${r.id}`},
                 `Sak ${r.id}: ${r.title || '(henter tittel…)'}`));
    li.append(el('p', 'row-meta',
                 el('span', 'place', municipalityName(r.municipality)),
                 el('span', null, r.serviceName),
                 el('span', `badge prio-${r.priority}`,
                    `${H.priorityName(r.priority)} prioritet`),
                 el('span', `badge status status-${r.status}`,
                    H.statusName(r.status))));
    if (queue === 'unassigned') {
      li.append(el('p', 'reason', 'Venter: ',
                   el('strong', null, H.REASONS[r.unassignedReason] ||
                                          'ikke fordelt ennå')));
    }
    li.append(deadlineLine(r));
    const now = H.clock.now();
    for (const node of li.querySelectorAll('.countdown[data-due]')) {
      tickCountdown(node, now, li);
    }
    return li;
  }

  // ------------------------------------------------------------ search

  // GET /api/v1/tickets?q=: the newest tickets holding every word, as
  // summary rows (README, "Searching tickets"). A page of a search may stop
  // short (words common alone and rare together) with a cursor to go on:
  // a few are followed until the list is full.
  const SEARCH_LIMIT = 20;
  const SEARCH_PAGES = 5;
  let searchRun = 0;  // an answer to an earlier search is dropped

  async function runSearch(text) {
    const run = ++searchRun;
    const stateNode = $('ticket-search-state');
    const list = $('ticket-search-results');
    if (!text) {
      list.replaceChildren();
      stateNode.replaceChildren();
      return;
    }
    stateNode.className = 'loading';
    stateNode.replaceChildren('Søker…');
    try {
      const rows = [];
      let cursor = '';
      for (let page = 0; page < SEARCH_PAGES; page += 1) {
        const params = new URLSearchParams({
          q: text, limit: String(SEARCH_LIMIT - rows.length)});
        if (cursor) params.set('cursor', cursor);
        const answer = await api.get(`/api/v1/tickets?${params}`);
        if (run !== searchRun) return;
        rows.push(...((answer && answer.tickets) || []).map(rowFromTicket));
        cursor = (answer && answer.nextCursor) || '';
        if (!cursor || rows.length >= SEARCH_LIMIT) break;
      }
      H.updateRows(list, rows.map((r) => queueRow(r, 'search')));
      stateNode.className = rows.length ? 'hint' : 'empty';
      stateNode.replaceChildren(
          cursor ? (rows.length ? `De ${rows.length} nyeste treffene.` :
                                  'Ingen treff blant de nyeste sakene. ' +
                                  'Prøv færre eller andre ord.') :
          !rows.length ? 'Ingen saker har alle ordene.' :
          rows.length === 1 ? 'Én sak.' : `${rows.length} saker.`);
      tick();
    } catch (error) {
      if (error.status === 401 || run !== searchRun) return;
      list.replaceChildren();
      stateNode.className = 'notice problem';
      stateNode.replaceChildren(...H.problemNodes(error));
    }
  }

  function wireSearch() {
    $('ticket-search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      runSearch($('ticket-search').value.trim());
    });
  }

  // The soonest deadline as a countdown (text only; tick() moves it on).
  function deadlineLine(ticket) {
    const next = H.nearestClock(ticket);
    const p = el('p', 'deadline');
    if (!next) {
      p.classList.add('none');
      p.append(ticket.status === 'waiting_on_user' ?
                   'Fristene står stille mens saken venter på innmelder.' :
                   'Ingen frist løper nå.');
      return p;
    }
    p.append(el('span', {
               class: 'countdown',
               data: {due: String(next.due), kind: next.kind},
             }, H.countdownText(next.kind, next.due, H.clock.now())),
             el('span', 'due-at', ` (${H.formatWhen(next.due)})`));
    return p;
  }

  // A countdown's words at `now`, and the overdue mark (a word and a sign,
  // not only a colour) on its line and on `row` (its row, also one not yet
  // in the page: a new row then equals the one shown, updateRows).
  function tickCountdown(node, now, row = node.closest('.queue-row')) {
    const due = Number(node.dataset.due);
    H.setText(node, H.countdownText(node.dataset.kind, due, now));
    const overdue = due < now;
    const line = node.closest('.deadline');
    if (line) line.classList.toggle('overdue', overdue);
    if (row) row.classList.toggle('breached', overdue);
  }

  // Once a second: every countdown.
  function tick() {
    const now = H.clock.now();
    for (const node of document.querySelectorAll('.countdown[data-due]')) {
      tickCountdown(node, now);
    }
  }

  // A row needs a title the event did not bring: the ticket is read.
  async function fetchRow(id, announceAs) {
    if (state.fetching.has(id)) return;
    state.fetching.add(id);
    try {
      const t = await api.get(`/api/v1/tickets/${encodeURIComponent(id)}`);
      placeRow(rowFromTicket(t), announceAs, true);
    } catch {
      // Shown without a title; the next list read fills it in.
    } finally {
      state.fetching.delete(id);
    }
  }

  // Puts a row in the queues it belongs to and out of the others; a row
  // new to a queue is announced (once its title is known).
  function placeRow(row, announceNew, fromRead) {
    const queues = [['mine', inMine], ['unassigned', inUnassigned]];
    for (const [name, member] of queues) {
      if (!state.loaded[name]) continue;
      const map = state[name];
      const known = map.get(row.id);
      if (known && known.version > row.version) continue;
      if (!member(row)) {
        map.delete(row.id);
        continue;
      }
      if (!row.title && known) row.title = known.title;
      map.set(row.id, row);
      if (!known && announceNew) {
        if (!row.title && !fromRead) {
          fetchRow(row.id, true);
        } else {
          announce(name === 'mine' ?
                       `Ny sak til deg: Sak ${row.id}: ${row.title}` :
                       `Ny ufordelt sak: Sak ${row.id}: ${row.title}`);
        }
      } else if (!row.title && !fromRead) {
        fetchRow(row.id, false);
      }
    }
    scheduleQueueRender();
  }

  // ------------------------------------------------------------ one ticket

  const ticketView = H.createTicketView({
    forms: {
      'take-form': onTake,
      'reply-form': onReply,
      'note-form': onNote,
      'status-form': onStatus,
      'priority-form': onPriority,
      'assign-form': onAssign,
    },
    missingText: (id) => `Det finnes ingen sak med nummer ${id}.`,
    me: () => state.account.id,
    authorName,
    onLoad: loadEvents,
    onReset() {
      state.events = [];
      state.eventsLoaded = false;
      for (const id of ['status-new', 'priority-new', 'assign-to']) {
        delete $(id).dataset.for;
      }
      $('history').replaceChildren();
      $('assignment-body').replaceChildren();
    },
    // The queues show the ticket as it now is.
    onApply: (ticket) => placeRow(rowFromTicket(ticket), false, true),
    render: renderTicket,
    onUpdate(ticket, previous, fresh) {
      if (fresh.length) {
        const last = fresh[fresh.length - 1];
        const who = authorName(last.author, last.authorName);
        announce(last.visibility === 'internal' ?
                     `Nytt internt notat fra ${who}.` :
                     `Ny melding fra ${who}.`);
      }
      if (previous.assignee !== ticket.assignee) {
        announce(ticket.assignee ?
                     `Saken er nå tildelt ${assigneeName(ticket)}.` :
                     'Saken er ikke lenger tildelt noen.');
      }
    },
  });

  function showTicket(id, options) {
    ticketView.open(id, options);
    ticketView.load(id);
  }

  async function loadEvents(id) {
    const stateNode = $('history-state');
    if (!state.eventsLoaded) {
      stateNode.className = 'loading';
      stateNode.replaceChildren('Henter historikken…');
      stateNode.hidden = false;
    }
    try {
      const events = [];
      let after = '';
      for (let page = 0; page < EVENTS_PAGES; page += 1) {
        const params = new URLSearchParams({limit: String(EVENTS_LIMIT)});
        if (after) params.set('after', after);
        const answer = await api.get(
            `/api/v1/tickets/${encodeURIComponent(id)}/events?${params}`);
        events.push(...((answer && answer.events) || []));
        after = (answer && answer.nextCursor) || '';
        if (!after) break;
      }
      if (!H.showsTicket(id)) return;
      state.events = events;
      state.eventsLoaded = true;
      stateNode.hidden = true;
      renderHistory();
    } catch (error) {
      if (!H.showsTicket(id) || error.status === 401 || error.status === 404) {
        return;
      }
      stateNode.className = 'notice problem';
      stateNode.replaceChildren(...H.problemNodes(error));
      stateNode.hidden = false;
    }
  }

  // The agent's part of the ticket view: who has it, the facts, the
  // deadlines, the action forms and the assignment (common.js shows the
  // status line and the conversation).
  function renderTicket(t) {
    const mine = t.assignee === state.staffId;
    $('take-form').hidden = mine || H.DONE.has(t.status);
    H.setText($('take-text'), t.assignee ?
                  `Saken er tildelt ${assigneeName(t)}.` :
                  'Saken er ikke tildelt noen.');

    const assignee = t.assignee ?
        `${assigneeName(t)}${mine ? ' (deg)' : ''}` :
        `Ingen (${H.REASONS[(t.assignment || {}).unassignedReason] ||
                  'ikke fordelt ennå'})`;
    $('ticket-facts').replaceChildren(
        ...fact('Kommune', municipalityName(t.municipality)),
        ...fact('Sted', locationName(t.municipality, t.location) || 'Ikke oppgitt'),
        ...fact('Tjeneste', (t.service && t.service.name) || t.serviceId || ''),
        ...fact('Innmelder', t.reporter || 'Ikke oppgitt'),
        ...fact('Prioritet', el('span', `badge prio-${t.priority}`,
                                H.priorityName(t.priority))),
        ...fact('Status', el('span', `badge status status-${t.status}`,
                             H.statusName(t.status))),
        ...fact('Ansvarlig', assignee),
        ...fact('Meldt', H.timeEl(t.createdAt)),
        ...fact('Sist endret', H.timeEl(t.updatedAt || t.createdAt)));

    const sla = t.sla || {};
    renderClock($('sla-first-response'), sla.firstResponse,
                H.CLOCK_TITLES.first_response);
    renderClock($('sla-resolution'), sla.resolution, H.CLOCK_TITLES.resolution);
    H.setText($('ticket-description-text'), t.description || '');

    // A closed ticket takes no more comments or changes.
    const closed = t.status === 'closed';
    $('reply-form').hidden = closed;
    $('note-form').hidden = closed;
    $('write-closed').hidden = !closed;
    $('priority-form').hidden = closed;
    fillStatusOptions(t);
    fillPriorityOptions(t);
    $('assign-form').hidden = !state.dispatcher || t.status === 'closed';
    fillAssignOptions();
    renderAssignment();
    tick();
  }

  function renderClock(box, c, title) {
    const nodes = [el('h3', null, title)];
    if (!c) {
      nodes.push(el('p', 'muted', 'Ingen frist.'));
      box.replaceChildren(...nodes);
      return;
    }
    nodes.push(el('p', 'clock-line',
                  el('span', `badge clock clock-${c.state}`,
                     H.CLOCK_STATES[c.state] || c.state || 'ukjent'),
                  ` Mål: ${targetText(c.targetSeconds, c.calendar)} ` +
                      `(${H.CALENDAR_NAMES[c.calendar] || c.calendar || '–'})`));
    const due = H.parseTime(c.dueAt);
    if (c.counting && Number.isFinite(due)) {
      nodes.push(el('p', 'deadline',
                    el('span', {class: 'countdown',
                                data: {due: String(due), kind: c.kind}},
                       H.countdownText(c.kind, due, H.clock.now())),
                    el('span', 'due-at', ` (frist ${H.formatWhen(due)})`)));
    } else if (c.stoppedAt) {
      nodes.push(el('p', null, c.state === 'met' ?
                                   `Nådd ${H.formatWhen(H.parseTime(c.stoppedAt))}.` :
                                   `Stoppet ${H.formatWhen(H.parseTime(c.stoppedAt))}.`));
    } else if (c.state === 'paused') {
      nodes.push(el('p', null, `Står stille mens saken venter. Brukt ` +
                                   `${H.duration(Number(c.elapsedSeconds) * 1000)}.`));
    }
    box.replaceChildren(...nodes);
  }

  function renderAssignment() {
    const t = ticketView.ticket;
    const box = $('assignment-body');
    if (!t || !box) return;
    const a = t.assignment;
    if (!a) {
      box.replaceChildren(el('p', 'muted', 'Saken er ikke fordelt ennå.'));
      return;
    }
    const nodes = [];
    if (a.outcome === 'unassigned') {
      nodes.push(el('p', 'lead', 'Ikke tildelt: ',
                    el('strong', null, H.REASONS[a.unassignedReason] ||
                                           'ukjent grunn'), '.'));
    } else {
      const how = CHOSEN_BY[a.chosenBy];
      const who = staffName(a.assignee, a.assigneeName);
      nodes.push(el('p', 'lead',
                    a.outcome === 'kept' ?
                        `Beholdt hos ${who}: ingen andre kunne ta saken.` :
                        `Tildelt ${who}${how ? ` – ${how}` : ''}.`));
    }
    if (a.by && a.by !== 'dispatch') {
      const by = a.by === state.account.id ? 'deg' : actorName(a.by);
      nodes.push(el('p', null, `Avgjort av ${by}` +
                                   (a.at ? ` ${H.formatWhen(H.parseTime(a.at))}.` : '.')));
    }
    if (a.reason) nodes.push(el('p', null, `Begrunnelse: ${a.reason}`));
    if (a.vakt) nodes.push(el('p', null, 'Gitt til den som har vakt.'));
    if (a.travel) {
      nodes.push(el('p', null, `Må reise fra ${a.travelFrom || 'en annen kommune'}` +
                                   (a.travelMinutes ? ` (om lag ${a.travelMinutes} min).` : '.')));
    }
    if (a.supplier) nodes.push(el('p', null, `Leverandør: ${a.supplier}`));
    const missing = a.missingSkills || [];
    if (missing.length) {
      if (!state.skills.size) loadSkills();
      nodes.push(el('p', null, 'Mangler kompetanse: ',
                    el('strong', null, missing.map(skillName).join(', '))));
    }
    const callIn = a.callIn || [];
    if (callIn.length) {
      const list = el('ul', 'call-in');
      for (const id of callIn) {
        const member = state.staff.get(id);
        list.append(el('li', null, staffName(id),
                       member && member.phone ? `, telefon ${member.phone}` : ''));
      }
      nodes.push(el('p', null, 'Kan kalles inn:'), list);
    }
    if (a.explanation) {
      nodes.push(el('p', 'explanation-label', 'Fordelingens forklaring ' +
                    '(på engelsk):'),
                 el('p', {class: 'explanation', lang: 'en'}, a.explanation));
    }
    box.replaceChildren(...nodes);
  }

  // -- history

  function eventSummary(ev) {
    const lines = [];
    let text = 'endret saken';
    if (ev.ticketCreated) {
      text = 'meldte saken';
    } else if (ev.assigned) {
      const a = ev.assigned.assignment || {};
      const who = staffName(a.assignee, a.assigneeName);
      if (a.outcome === 'unassigned') {
        text = `saken venter: ${H.REASONS[a.unassignedReason] || 'ikke fordelt'}`;
      } else if (a.outcome === 'kept') {
        text = `saken ble beholdt hos ${who}`;
      } else if (a.trigger === 'taken') {
        text = 'tok saken';
      } else if (a.trigger === 'manual') {
        text = `tildelte saken til ${who}`;
      } else {
        text = `saken ble tildelt ${who}` +
            (CHOSEN_BY[a.chosenBy] ? ` (${CHOSEN_BY[a.chosenBy]})` : '');
      }
      if (a.reason) lines.push(`Begrunnelse: ${a.reason}`);
    } else if (ev.statusChanged) {
      const c = ev.statusChanged;
      text = `endret status fra ${H.statusName(c.from)} til ${H.statusName(c.to)}`;
      if (c.reason) lines.push(`Begrunnelse: ${c.reason}`);
    } else if (ev.priorityChanged) {
      const c = ev.priorityChanged;
      text = `endret prioritet fra ${H.priorityName(c.from)} til ` +
          H.priorityName(c.to);
      if (c.reason) lines.push(`Begrunnelse: ${c.reason}`);
    } else if (ev.commentAdded) {
      text = ev.commentAdded.visibility === 'internal' ?
          'skrev et internt notat' : 'skrev en melding';
    } else if (ev.slaWarning) {
      const due = H.parseTime(ev.slaWarning.dueAt);
      text = `varsel: ${H.DEADLINE_NAMES[ev.slaWarning.kind] || 'fristen'} ` +
          `nærmer seg${Number.isFinite(due) ? ` (${H.formatWhen(due)})` : ''}`;
    } else if (ev.slaBreached) {
      text = `${H.DEADLINE_NAMES[ev.slaBreached.kind] || 'fristen'} ble brutt`;
    } else if (ev.followerAdded) {
      text = `la til ${ev.followerAdded.account} som følger`;
    } else if (ev.followerRemoved) {
      text = `fjernet ${ev.followerRemoved.account} som følger`;
    } else if (ev.personalDataErased) {
      text = 'personopplysningene i saken ble slettet';
    } else if (ev.pageCreated) {
      text = 'sendte varsel om saken';
    } else if (ev.pageDelivered) {
      text = `varsel levert til ${staffName(ev.pageDelivered.to)}`;
    } else if (ev.pageAcknowledged) {
      text = `varselet ble kvittert av ${actorName(ev.pageAcknowledged.by)}`;
    }
    return {text, lines};
  }

  function renderHistory() {
    const list = $('history');
    if (!list || !state.eventsLoaded) return;
    const items = state.events.map((ev) => {
      const {text, lines} = eventSummary(ev);
      // A comment's event names its author (a caller too) by name.
      const said = ev.commentAdded;
      const name = said && said.author === ev.actor ? said.authorName : '';
      const li = el('li', {class: 'history-item', data: {seq: String(ev.seq)}},
                    H.timeEl(ev.at, 'history-time'),
                    el('span', 'history-text',
                       el('span', 'history-actor', actorName(ev.actor, name)),
                       `: ${text}`));
      for (const line of lines) li.append(el('span', 'history-extra', line));
      return li;
    });
    list.replaceChildren(...items);
    if (!items.length) {
      const stateNode = $('history-state');
      stateNode.className = 'empty';
      stateNode.replaceChildren('Ingen hendelser.');
      stateNode.hidden = false;
    }
  }

  // -- the action forms' choices

  function fillStatusOptions(t) {
    const select = $('status-new');
    if (select.dataset.for === t.status) return;
    select.dataset.for = t.status;
    const moves = H.NEXT_STATUSES[t.status] || [];
    const kept = select.value;
    select.replaceChildren(...moves.map(
        (s) => el('option', {value: s}, H.capitalize(H.statusName(s)))));
    if (moves.includes(kept)) select.value = kept;
    $('status-fields').hidden = moves.length === 0;
    const none = $('status-none');
    none.hidden = moves.length > 0;
    H.setText(none, NO_STATUS_MOVE[t.status] || 'Ingen statusendring er mulig nå.');
  }

  function fillPriorityOptions(t) {
    const select = $('priority-new');
    if (select.dataset.for === t.priority) return;
    select.dataset.for = t.priority;
    const kept = select.value;
    const options = [el('option', {value: ''}, 'Velg ny prioritet')];
    for (const p of H.PRIORITIES) {
      options.push(el('option', {value: p},
                      H.capitalize(H.priorityName(p)) +
                          (p === t.priority ? ' (nå)' : '')));
    }
    select.replaceChildren(...options);
    if (kept && kept !== t.priority) select.value = kept;
  }

  function fillAssignOptions() {
    const select = $('assign-to');
    if (!state.dispatcher) return;
    const key = String(state.staffVersion);
    if (select.dataset.for === key) return;
    select.dataset.for = key;
    const kept = select.value;
    const people = [...state.staff.values()]
                       .filter((s) => s.active !== false)
                       .sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id, 'nb'));
    select.replaceChildren(
        el('option', {value: ''}, 'Velg person'),
        ...people.map((s) => el('option', {value: s.id},
                                `${s.name || s.id} – ${availability(s)}`)));
    if (kept && people.some((s) => s.id === kept)) select.value = kept;
  }

  // ------------------------------------------------------------ writes

  // A write on the open ticket: its answer is the ticket. A version
  // conflict reads the ticket again and says so; the user's input stays.
  async function write(form, path, body, options) {
    const t = ticketView.ticket;
    if (!t || H.isBusy(form)) return null;
    H.clearErrors(form);
    H.setBusy(form, true);
    try {
      const answer = await api.post(path, body, options);
      ticketView.apply(answer);
      loadEvents(t.id);
      return answer;
    } catch (error) {
      if (error.status === 401) return null;
      if (H.isVersionConflict(error) || error.status === 409) {
        ticketView.load(t.id);  // and its history
      }
      H.showProblem(form, error, (options && options.fields) || {},
                    (options && options.messages) || {});
      return null;
    } finally {
      H.setBusy(form, false);
    }
  }

  // The ticket view's forms (its `forms`): each handler gets the open
  // ticket and its form.

  async function onTake(t, form) {
    const done = await write(form, `/api/v1/tickets/${t.id}/take`,
                             {version: t.version});
    if (done) {
      announce('Saken er din.');
      $('status-new').focus();
    }
  }

  async function onAssign(t, form) {
    const to = $('assign-to');
    const reason = $('assign-reason');
    const errors = [];
    if (!to.value) errors.push({control: to, message: 'Velg hvem som skal få saken.'});
    if (!reason.value.trim()) {
      errors.push({control: reason,
                   message: 'Skriv en begrunnelse. Den lagres på saken.'});
    }
    if (H.showErrors(form, errors)) return;
    const who = staffName(to.value);
    const done = await write(form, `/api/v1/tickets/${t.id}/assign`, {
      assignee: to.value,
      reason: reason.value.trim(),
      version: t.version,
    }, {
      fields: {assignee: to, reason},
      messages: {
        assignee: 'Denne personen kan ikke få saken (ukjent eller ikke aktiv).',
        reason: 'Skriv en begrunnelse. Den lagres på saken.',
      },
    });
    if (done) {
      form.reset();
      announce(`Saken er tildelt ${who}.`);
    }
  }

  async function onStatus(t, form) {
    const select = $('status-new');
    if (!select.value) {
      H.showErrors(form, [{control: select, message: 'Velg ny status.'}]);
      return;
    }
    const to = select.value;
    const body = {status: to, version: t.version};
    const reason = $('status-reason').value.trim();
    if (reason) body.reason = reason;
    const done = await write(form, `/api/v1/tickets/${t.id}/status`, body, {
      fields: {status: select, reason: $('status-reason')},
      messages: {status: 'Saken kan ikke få den statusen nå.'},
    });
    if (done) {
      $('status-reason').value = '';
      announce(`Status er endret til ${H.statusName(to)}.`);
      // A closed ticket hides its forms, the button pressed with them:
      // focus goes to the ticket's heading rather than nowhere.
      if (!form.contains(document.activeElement) ||
          form.closest('[hidden]')) {
        H.focusHeading();
      }
    }
  }

  async function onPriority(t, form) {
    const select = $('priority-new');
    const reason = $('priority-reason');
    const errors = [];
    if (!select.value) {
      errors.push({control: select, message: 'Velg ny prioritet.'});
    } else if (select.value === t.priority) {
      errors.push({control: select,
                   message: 'Saken har allerede denne prioriteten. Velg en annen.'});
    }
    if (!reason.value.trim()) {
      errors.push({control: reason,
                   message: 'Skriv hvorfor prioriteten endres.'});
    }
    if (H.showErrors(form, errors)) return;
    const to = select.value;
    const done = await write(form, `/api/v1/tickets/${t.id}/priority`, {
      priority: to,
      reason: reason.value.trim(),
      version: t.version,
    }, {
      fields: {priority: select, reason},
      messages: {priority: 'Velg en gyldig prioritet.'},
    });
    if (done) {
      form.reset();
      announce(`Prioriteten er endret til ${H.priorityName(to)}.`);
    }
  }

  async function comment(t, form, inputId, visibility, emptyText, doneText) {
    const input = $(inputId);
    const text = input.value.trim();
    if (!text) {
      H.showErrors(form, [{control: input, message: emptyText}]);
      return;
    }
    const body = {body: text, visibility};
    const key = `${form.id}-${t.id}`;
    const done = await write(form, `/api/v1/tickets/${t.id}/comments`, body, {
      idempotencyKey: H.keyFor(state.pending, key, body),
      fields: {body: input},
      messages: {body: 'Teksten ble ikke godtatt. Den kan ikke være tom ' +
                     'eller for lang.'},
    });
    if (done) {
      state.pending.delete(key);
      input.value = '';
      announce(doneText);
    }
  }

  function onReply(t, form) {
    comment(t, form, 'reply-body', 'public',
            'Skriv svaret før du sender.', 'Svaret er sendt.');
  }

  function onNote(t, form) {
    comment(t, form, 'note-body', 'internal',
            'Skriv notatet før du lagrer.', 'Det interne notatet er lagret.');
  }

  // ------------------------------------------------------------ live

  function onEvents(events) {
    let refreshOpen = false;
    const open = ticketView.ticket;
    for (const ev of events) {
      if (ev.staffChanged) scheduleStaffReload();
      const summary = ev.ticket;
      if (summary && summary.id) {
        const previous = state.mine.get(summary.id) ||
            state.unassigned.get(summary.id);
        const row = rowFromSummary(summary, previous);
        const created = ev.ticketCreated && ev.ticketCreated.ticket;
        if (!row.title && created && created.title) row.title = created.title;
        placeRow(row, true, false);
      }
      const id = ev.ticketId || (summary && summary.id);
      if (open && id === open.id &&
          (ev.ticketVersion || 0) > (open.version || 0)) {
        refreshOpen = true;
      } else if (open && id === open.id && (ev.slaWarning || ev.slaBreached)) {
        refreshOpen = true;  // alerts do not move the version
      }
    }
    if (refreshOpen) ticketView.scheduleRefresh();
  }

  function onResync() {
    if (state.loaded.mine || state.loaded.unassigned ||
        H.currentRoute().name === 'home') {
      loadQueues();
    }
    ticketView.scheduleRefresh();
  }

  // ------------------------------------------------------------ start, stop

  function start(account) {
    state.account = account;
    state.staffId = account.staffId || account.id;
    state.dispatcher = H.hasRole(account, 'dispatcher');
    syncClock();
    loadMunicipalities();
    loadStaff();
    state.ticker = setInterval(tick, 1000);
  }

  function stop() {
    clearInterval(state.ticker);
    clearTimeout(state.staffTimer);
    ticketView.reset();
    $('my-queue').replaceChildren();
    $('unassigned-queue').replaceChildren();
    searchRun += 1;  // an answer still on its way is dropped
    $('ticket-search-results').replaceChildren();
    $('ticket-search-state').replaceChildren();
    $('ticket-search').value = '';
    Object.assign(state, {
      account: null,
      staffId: '',
      dispatcher: false,
      staff: new Map(),
      mine: new Map(),
      unassigned: new Map(),
      loaded: {mine: false, unassigned: false},
      failed: {mine: null, unassigned: null},
      partial: {mine: [], unassigned: []},
      pending: new Map(),
    });
  }

  H.boot({kind: 'agent',
          wire: () => {
            ticketView.wire();
            wireSearch();
          },
          start, stop, route, onEvents, onResync});
})();

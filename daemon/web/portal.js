// The employee portal (GET /): a municipal employee's own tickets, filing
// a new one from the tjenestekatalog, and one ticket with its conversation,
// confirmation and followers. Views by hash: #/ (Mine saker), #/ny (Meld
// en sak), #/sak/<id>. One websocket keeps the list and the open ticket
// current; the daemon sends an employee only their own tickets' events and
// never internal notes. Uses window.Helpdesk from common.js.
'use strict';

(() => {
  const H = window.Helpdesk;
  const {$, el, api, announce, fact} = H;

  const SEARCH_DELAY_MS = 250;
  const REFRESH_DELAY_MS = 150;
  const LIST_LIMIT = 100;
  const SEARCH_LIMIT = 20;
  const MAX_FALLBACK_WORDS = 4;

  // What each status means for the person who reported the ticket.
  const STATUS_HELP = {
    new: 'Saken er mottatt og venter på at noen i IT-servicedesken tar den.',
    assigned: 'En saksbehandler har fått saken og begynner på den snart.',
    in_progress: 'Noen i IT-servicedesken arbeider med saken.',
    waiting_on_user: 'IT-servicedesken venter på svar fra deg. Svar i ' +
        'meldingsfeltet under.',
    waiting_on_supplier: 'Saken venter på en leverandør. IT-servicedesken ' +
        'følger den opp.',
    resolved: 'IT-servicedesken mener problemet er løst.',
    closed: 'Saken er lukket. Meld en ny sak hvis problemet kommer tilbake.',
  };

  // Norwegian words for the fields the daemon may name in a problem.
  const CREATE_FIELD_MESSAGES = {
    serviceId: 'Denne tjenesten kan ikke velges for kommunen din. Velg en ' +
        'annen tjeneste.',
    title: 'Den korte beskrivelsen ble ikke godtatt. Den må være fylt ut ' +
        'og høyst 200 tegn.',
    description: 'Beskrivelsen ble ikke godtatt. Den må være fylt ut og ' +
        'ikke for lang.',
    location: 'Stedet finnes ikke i kommunen din. Velg et annet sted.',
    priority: 'Velg hvor mye det haster: lav, normal eller høy.',
  };

  // Words that say nothing about which service is meant; left out when a
  // whole sentence finds nothing and each word is tried on its own.
  const STOPWORDS = new Set((
    'ikke ikkje virker verkar fungerer funker går gjør jeg eg vi du har ' +
    'hadde kan får fikk klarer min mi mitt mine vår vårt våre det den de ' +
    'dei en ei et er var og i på til med for av som at om ut inn seg meg ' +
    'oss noe noen når etter fra frå hos så ble blir helt veldig lenger ' +
    'lengre mer problem problemer hjelp trenger ønsker vil skal må bare ' +
    'også men eller dette denne heller igjen')
                                 .split(' '));
  const DEFINITE_ENDINGS = ['ene', 'ne', 'en', 'et'];

  const state = {
    account: null,
    municipality: null,      // {id, name, locations}
    municipalityLoad: null,  // its promise
    tickets: new Map(),      // id -> Ticket, the list
    listLoaded: false,
    listTimer: 0,
    justFiled: '',
    search: {timer: 0, seq: 0, controller: null, text: null},
    services: new Map(),     // id -> Service seen in search or browse
    selectedService: '',
    catalogueLoaded: false,
    pending: new Map(),      // form id -> {key, body}: Idempotency-Key reuse
  };

  // ------------------------------------------------------------ helpers

  function utf8Bytes(text) {
    return new TextEncoder().encode(text).length;
  }

  function me() {
    return state.account ? state.account.id : '';
  }

  function serviceNameOf(ticket) {
    return (ticket.service && ticket.service.name) || ticket.serviceName ||
        ticket.serviceId || 'Ukjent tjeneste';
  }

  function locationName(id) {
    if (!id) return '';
    const m = state.municipality;
    const found = m && (m.locations || []).find((l) => l.id === id);
    return found ? found.name : id;
  }

  // IT staff as an employee is told of them: "Ola Grønvold,
  // IT-servicedesken" (the account id when the daemon sent no name).
  function staffLabel(id, name) {
    return `${name || id}, IT-servicedesken`;
  }

  // A comment's author: "Du", the reporter and followers by their names,
  // anyone else as IT staff. name: the comment's authorName.
  function authorName(id, name) {
    if (!id) return 'Ukjent';
    if (id === me()) return 'Du';
    const t = ticketView.ticket;
    if (t && (id === t.reporter || (t.followers || []).includes(id))) {
      return name || id;
    }
    return staffLabel(id, name);
  }

  function loadMunicipality() {
    if (!state.municipalityLoad) {
      state.municipalityLoad = api.get('/api/v1/municipalities')
          .then((answer) => {
            const list = (answer && answer.municipalities) || [];
            state.municipality =
                list.find((m) => m.id === state.account.municipality) || null;
            return state.municipality;
          })
          .catch((error) => {
            state.municipalityLoad = null;  // try again next time
            throw error;
          });
    }
    return state.municipalityLoad;
  }

  // ------------------------------------------------------------ routing

  function route(r, options) {
    H.setNavCurrent(r.name === 'home' || r.name === 'new' ? r.name : '');
    if (r.name === 'home') {
      showHome(options);
    } else if (r.name === 'new') {
      showNew(options);
    } else if (r.name === 'ticket') {
      showTicket(r.id, options);
    } else {
      H.showMissing('Fant ikke siden', 'Denne adressen finnes ikke i ' +
                    'servicedesken.', options);
    }
  }

  // ------------------------------------------------------------ Mine saker

  function showHome(options) {
    H.showView('home', 'Mine saker', options);
    if (!state.listLoaded) setListState('Henter sakene dine…', true);
    loadList();
  }

  function setListState(text, loading, retry) {
    const node = $('my-tickets-state');
    node.className = loading ? 'loading' : 'empty';
    node.replaceChildren(...(Array.isArray(text) ? text : [text]));
    if (retry) {
      const button = el('button', {type: 'button', class: 'button-quiet'},
                        'Prøv igjen');
      button.addEventListener('click', () => {
        setListState('Henter sakene dine…', true);
        loadList();
      });
      node.append(' ', button);
    }
    node.hidden = !text;
  }

  async function loadList() {
    try {
      const answer = await api.get(`/api/v1/tickets?limit=${LIST_LIMIT}`);
      state.tickets = new Map();
      for (const t of (answer && answer.tickets) || []) {
        if (t && t.id) state.tickets.set(t.id, t);
      }
      state.listLoaded = true;
      $('my-tickets-more').hidden = !(answer && answer.nextCursor);
      renderList();
    } catch (error) {
      if (error.status === 401) return;  // the shell shows the login
      if (H.currentRoute().name === 'home') {
        setListState(H.problemNodes(error), false, true);
      }
    }
  }

  function scheduleListReload() {
    clearTimeout(state.listTimer);
    state.listTimer = setTimeout(loadList, REFRESH_DELAY_MS);
  }

  function byLastChange(a, b) {
    return (H.parseTime(b.updatedAt) || 0) - (H.parseTime(a.updatedAt) || 0) ||
        Number(b.id) - Number(a.id);
  }

  function renderList() {
    if (!state.listLoaded) return;
    const tickets = [...state.tickets.values()].sort(byLastChange);
    H.updateRows($('my-tickets'), tickets.map(listRow));
    if (tickets.length) {
      setListState('');
    } else {
      setListState('Du har ikke meldt noen saker ennå. Når du melder en sak, ' +
                   'finner du den her og kan følge med på hva som skjer.');
    }
  }

  function listRow(t) {
    const li = el('li', {
      class: 'ticket-row',
      data: {testid: 'ticket-row', ticketId: t.id, status: t.status || ''},
    });
    li.append(el('a', {class: 'ticket-link', href: `#/sak/${t.id}`},
                 `Sak ${t.id}: ${t.title || ''}`));
    const meta = el('p', 'row-meta');
    meta.append(
        el('span', `badge status status-${t.status}`, H.statusName(t.status)),
        el('span', null, serviceNameOf(t)),
        el('span', null, 'Sist endret ', H.timeEl(t.updatedAt || t.createdAt)));
    li.append(meta);
    return li;
  }

  // ------------------------------------------------------------ Meld en sak

  function showNew(options) {
    H.showView('new', 'Meld en sak', options);
    fillLocations();
  }

  async function fillLocations() {
    const select = $('ticket-location');
    if (select.dataset.filled === 'true') return;
    let m;
    try {
      m = await loadMunicipality();
    } catch {
      return;  // the list stays at "Velg sted"; the ticket can go without
    }
    if (!m || select.dataset.filled === 'true') return;
    const locations = [...(m.locations || [])]
                          .sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    const options = [el('option', {value: ''}, 'Velg sted')];
    for (const l of locations) options.push(el('option', {value: l.id}, l.name));
    select.replaceChildren(...options);
    const usual = state.account && state.account.location;
    if (usual && locations.some((l) => l.id === usual)) select.value = usual;
    select.dataset.filled = 'true';
  }

  function resetNewForm() {
    const form = $('new-ticket');
    H.clearErrors(form);
    form.reset();  // back to the HTML defaults: Normal, no text
    const select = $('ticket-location');
    const usual = state.account && state.account.location;
    if (usual && [...select.options].some((o) => o.value === usual)) {
      select.value = usual;
    }
    clearTimeout(state.search.timer);
    state.search.seq += 1;
    state.search.text = null;
    state.selectedService = '';
    $('search-results').replaceChildren();
    H.setText($('search-count'), '');
    H.setText($('service-chosen'), '');
    for (const input of form.querySelectorAll('input[name="serviceId"]')) {
      input.checked = false;
    }
  }

  // -- searching the catalogue

  function onSearchInput() {
    clearTimeout(state.search.timer);
    state.search.timer = setTimeout(runSearch, SEARCH_DELAY_MS);
  }

  function onSearchKey(event) {
    // Enter searches at once instead of sending the form half filled.
    if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(state.search.timer);
      runSearch();
    }
  }

  async function runSearch() {
    const text = $('service-search').value.trim();
    if (text === state.search.text) return;
    state.search.text = text;
    const seq = ++state.search.seq;
    if (state.search.controller) state.search.controller.abort();
    if (!text) {
      renderResults(null);
      return;
    }
    const controller = new AbortController();
    state.search.controller = controller;
    try {
      const services = await searchServices(text, controller.signal);
      if (seq === state.search.seq) renderResults(services);
    } catch (error) {
      if (error && error.name === 'AbortError') return;
      if (seq !== state.search.seq) return;
      state.search.text = null;  // let the same words be tried again
      $('search-results').replaceChildren();
      H.setText($('search-count'),
                `Søket virket ikke. ${H.describeProblem(error).text}`);
    }
  }

  async function querySearch(q, signal) {
    const params = new URLSearchParams({q, limit: String(SEARCH_LIMIT)});
    if (state.account.municipality) {
      params.set('municipality', state.account.municipality);
    }
    const answer = await api.get(`/api/v1/catalogue/services?${params}`,
                                 {signal});
    const services = (answer && answer.services) || [];
    for (const s of services) state.services.set(s.id, s);
    return services;
  }

  // "skriveren" -> "skriver", "pc-en" -> "pc", "passordet" -> "passord".
  function stem(word) {
    const hyphen = /^(.{2,})-(en|et|a|ene|er)$/.exec(word);
    if (hyphen) return hyphen[1];
    for (const ending of DEFINITE_ENDINGS) {
      if (word.endsWith(ending) && word.length - ending.length >= 3) {
        return word.slice(0, -ending.length);
      }
    }
    return word;
  }

  function keywords(text) {
    const words = text.toLocaleLowerCase('nb-NO')
                      .split(/[^\p{L}\p{N}-]+/u)
                      .map((w) => w.replace(/^-+|-+$/g, ''))
                      .filter((w) => w.length >= 2 && !STOPWORDS.has(w))
                      .map(stem);
    return [...new Set(words)].slice(0, MAX_FALLBACK_WORDS);
  }

  // The daemon's search wants every word to match. People write sentences
  // ("skriveren virker ikke"), so when the whole text finds nothing each
  // telling word is tried alone and the services found by most words come
  // first, each word's own order (name matches first) breaking ties.
  async function searchServices(text, signal) {
    const direct = await querySearch(text, signal);
    if (direct.length) return direct;
    const words = keywords(text);
    if (!words.length ||
        (words.length === 1 && words[0] === text.toLocaleLowerCase('nb-NO'))) {
      return [];
    }
    const lists = await Promise.all(words.map((w) => querySearch(w, signal)));
    const scores = new Map();
    for (const list of lists) {
      list.forEach((service, rank) => {
        const entry = scores.get(service.id) ||
            {service, hits: 0, rank: Infinity};
        entry.hits += 1;
        entry.rank = Math.min(entry.rank, rank);
        scores.set(service.id, entry);
      });
    }
    return [...scores.values()]
        .sort((a, b) => b.hits - a.hits || a.rank - b.rank)
        .slice(0, SEARCH_LIMIT)
        .map((entry) => entry.service);
  }

  // A radio for a service: named by the service, described by its short
  // description; the whole row is the target.
  function serviceChoice(service, prefix) {
    const id = `${prefix}-${service.id}`;
    const input = el('input', {
      type: 'radio',
      name: 'serviceId',
      value: service.id,
      id,
      'aria-labelledby': `${id}-name`,
      'aria-describedby': `${id}-desc`,
    });
    input.checked = service.id === state.selectedService;
    return el('label', {class: 'choice', for: id}, input,
              el('span', 'choice-text',
                 el('span', {class: 'choice-title', id: `${id}-name`},
                    service.name || service.id),
                 el('span', {class: 'choice-desc', id: `${id}-desc`},
                    H.shortText(service.description))));
  }

  function renderResults(services) {
    const box = $('search-results');
    if (services === null) {
      box.replaceChildren();
      H.setText($('search-count'), '');
      return;
    }
    if (!services.length) {
      box.replaceChildren();
      H.setText($('search-count'), 'Ingen tjenester passer. Prøv andre ord, ' +
                'eller se alle tjenester etter kategori.');
      return;
    }
    const group = el('fieldset', {id: 'service-results', class: 'choices'},
                     el('legend', null, 'Velg tjeneste'));
    for (const s of services) group.append(serviceChoice(s, 'treff'));
    box.replaceChildren(group);
    H.setText($('search-count'),
              `${H.plural(services.length, 'tjeneste', 'tjenester')} passer`);
  }

  function onServiceChosen(event) {
    const input = event.target;
    if (!input || input.name !== 'serviceId' || !input.checked) return;
    state.selectedService = input.value;
    const service = state.services.get(input.value);
    H.setText($('service-chosen'),
              `Valgt tjeneste: ${service ? service.name : input.value}`);
  }

  // -- browsing the catalogue by category

  function onBrowseToggle() {
    const button = $('browse-toggle');
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    $('category-browser').hidden = !open;
    if (open && !state.catalogueLoaded) loadCatalogue();
  }

  async function loadCatalogue() {
    const status = $('category-state');
    status.hidden = false;
    status.className = 'loading';
    status.replaceChildren('Henter tjenestekatalogen…');
    try {
      const params = new URLSearchParams();
      if (state.account.municipality) {
        params.set('municipality', state.account.municipality);
      }
      const tree = await api.get(`/api/v1/catalogue?${params}`);
      renderCatalogue((tree && tree.categories) || []);
      state.catalogueLoaded = true;
      status.hidden = true;
    } catch (error) {
      if (error.status === 401) return;
      status.className = 'empty';
      const retry = el('button', {type: 'button', class: 'button-quiet'},
                       'Prøv igjen');
      retry.addEventListener('click', loadCatalogue);
      status.replaceChildren(...H.problemNodes(error), ' ', retry);
    }
  }

  // Categories nest; each one with services becomes a group of radios
  // named by its path ("Applikasjoner og fagsystemer – Skole").
  function flattenCategories(nodes, path, out) {
    for (const node of nodes || []) {
      const name = path ? `${path} – ${node.name}` : node.name;
      if ((node.services || []).length) out.push({name, services: node.services});
      flattenCategories(node.categories, name, out);
    }
    return out;
  }

  function renderCatalogue(categories) {
    const groups = flattenCategories(categories, '', []);
    const nodes = groups.map((group, i) => {
      const fieldset = el('fieldset', 'choices category-group',
                          el('legend', null, group.name));
      for (const s of group.services) {
        state.services.set(s.id, s);
        fieldset.append(serviceChoice(s, `kategori${i}`));
      }
      return fieldset;
    });
    if (!nodes.length) {
      nodes.push(el('p', 'empty', 'Katalogen har ingen tjenester for ' +
                    'kommunen din. Ring IT-servicedesken.'));
    }
    $('category-groups').replaceChildren(...nodes);
  }

  // -- sending the ticket

  async function onCreate(event) {
    event.preventDefault();
    const form = $('new-ticket');
    if (H.isBusy(form)) return;
    const search = $('service-search');
    const title = $('ticket-title');
    const description = $('ticket-description');
    const errors = [];
    if (!state.selectedService) {
      errors.push({
        control: search,
        message: 'Velg hvilken tjeneste saken gjelder. Søk med egne ord, ' +
            'eller se alle tjenester etter kategori.',
      });
    }
    if (!title.value.trim()) {
      errors.push({control: title, message: 'Skriv en kort beskrivelse.'});
    } else if (utf8Bytes(title.value.trim()) > 200) {
      // The daemon counts bytes: æ, ø and å take two.
      errors.push({control: title,
                   message: 'Den korte beskrivelsen er for lang. Gjør den ' +
                       'kortere (høyst 200 tegn, æ, ø og å teller dobbelt).'});
    }
    if (!description.value.trim()) {
      errors.push({
        control: description,
        message: 'Beskriv problemet, så er det lettere for IT-servicedesken ' +
            'å hjelpe deg.',
      });
    }
    if (H.showErrors(form, errors)) return;
    const priority = form.querySelector('input[name="priority"]:checked');
    const body = {
      title: title.value.trim(),
      description: description.value.trim(),
      serviceId: state.selectedService,
      priority: priority ? priority.value : 'normal',
    };
    const place = $('ticket-location').value;
    if (place) body.location = place;
    H.setBusy(form, true);
    try {
      const ticket = await api.post(
          '/api/v1/tickets', body,
          {idempotencyKey: H.keyFor(state.pending, 'new-ticket', body)});
      state.pending.delete('new-ticket');
      resetNewForm();
      if (ticket && ticket.id) {
        state.tickets.set(ticket.id, ticket);
        state.justFiled = ticket.id;
        location.hash = `#/sak/${ticket.id}`;
      }
    } catch (error) {
      if (error.status === 401) return;
      H.showProblem(form, error, {
        serviceId: search,
        title,
        description,
        location: $('ticket-location'),
        priority: $('ticket-priority'),
      }, CREATE_FIELD_MESSAGES);
    } finally {
      H.setBusy(form, false);
    }
  }

  // ------------------------------------------------------------ one ticket

  const ticketView = H.createTicketView({
    forms: {
      'comment-form': onComment,
      'confirm-form': onReopen,
      'follower-form': onAddFollower,
    },
    missingText: () => 'Saken finnes ikke, eller du har ikke tilgang til den.',
    me,
    authorName,
    onReset: () => $('follower-list').replaceChildren(),
    // The list shows the ticket as it now is.
    onApply(ticket) {
      if (state.tickets.has(ticket.id) || state.listLoaded) {
        state.tickets.set(ticket.id, ticket);
      }
    },
    render: renderTicket,
    onUpdate(ticket, previous, fresh) {
      if (fresh.length) {
        const last = fresh[fresh.length - 1];
        const who = authorName(last.author, last.authorName);
        announce(`Ny melding i saken fra ${who}.`);
      }
    },
  });

  function showTicket(id, options) {
    ticketView.open(id, options);
    const notice = $('ticket-notice');
    if (state.justFiled === id) {
      state.justFiled = '';
      notice.textContent = 'Saken er sendt. Du får svar her, og du kan skrive ' +
          'til IT-servicedesken i meldingsfeltet under.';
      notice.hidden = false;
      announce('Saken er sendt');
    } else {
      notice.hidden = true;
    }
    ticketView.load(id);
  }

  // The page's part of the ticket view (common.js shows the status line
  // and the conversation).
  function renderTicket(t) {
    H.setText($('ticket-explain'), STATUS_HELP[t.status] || '');

    const facts = [
      ...fact('Tjeneste', serviceNameOf(t)),
      ...fact('Sted', locationName(t.location) || 'Ikke oppgitt'),
      ...fact('Hvor mye det haster', H.capitalize(H.priorityName(t.priority))),
      ...fact('Meldt', H.timeEl(t.createdAt)),
      ...fact('Sist endret', H.timeEl(t.updatedAt || t.createdAt)),
      ...fact('Saksbehandler', t.assignee ?
                  staffLabel(t.assignee, H.assignedName(t)) : 'Ingen ennå'),
    ];
    if (t.reporter && t.reporter !== me()) {
      facts.push(...fact('Meldt av', t.reporter));
    }
    $('ticket-facts').replaceChildren(...facts);
    H.setText($('ticket-description-text'), t.description || '');

    $('confirm-section').hidden =
        !(t.status === 'resolved' && t.reporter === me());

    const closed = t.status === 'closed';
    $('comment-form').hidden = closed;
    $('comment-closed').hidden = !closed;
    renderFollowers();
  }

  // -- writing in the ticket

  async function onComment(t, form) {
    if (H.isBusy(form)) return;
    const input = $('comment-body');
    const text = input.value.trim();
    if (!text) {
      H.showErrors(form, [{control: input,
                           message: 'Skriv en melding før du sender.'}]);
      return;
    }
    H.clearErrors(form);
    const body = {body: text, visibility: 'public'};
    H.setBusy(form, true);
    try {
      const answer = await api.post(
          `/api/v1/tickets/${t.id}/comments`, body,
          {idempotencyKey: H.keyFor(state.pending, `comment-${t.id}`, body)});
      state.pending.delete(`comment-${t.id}`);
      input.value = '';
      ticketView.apply(answer);
      announce('Meldingen er sendt.');
    } catch (error) {
      if (error.status === 401) return;
      H.showProblem(form, error, {body: input},
                    {body: 'Meldingen ble ikke godtatt. Den må ha tekst og ' +
                         'kan ikke være for lang.'});
    } finally {
      H.setBusy(form, false);
    }
  }

  // Confirms (closed) or reopens (in_progress) a resolved ticket.
  async function changeStatus(status, reason) {
    const form = $('confirm-form');
    const t = ticketView.ticket;
    if (!t || H.isBusy(form)) return;
    H.clearErrors(form);
    const body = {status, version: t.version};
    if (reason) body.reason = reason;
    H.setBusy(form, true);
    try {
      const url = `/api/v1/tickets/${t.id}/status`;
      let answer;
      try {
        answer = await api.post(url, body);
      } catch (error) {
        // IT's internal notes move the version without the employee
        // seeing them: a conflict on a ticket still resolved is tried
        // once more at the version it has now.
        if (!H.isVersionConflict(error)) throw error;
        const now = await api.get(`/api/v1/tickets/${t.id}`);
        if (!now || now.status !== 'resolved') throw error;
        answer = await api.post(url, {...body, version: now.version});
      }
      form.reset();
      ticketView.apply(answer);
      announce(status === 'closed' ? 'Saken er lukket. Takk!' :
                                     'Saken er åpnet igjen.');
      H.focusHeading();
    } catch (error) {
      if (error.status === 401) return;
      if (H.isVersionConflict(error)) ticketView.load(t.id);
      H.showProblem(form, error, {reason: $('reopen-reason')});
    } finally {
      H.setBusy(form, false);
    }
  }

  function onConfirmClose() {
    changeStatus('closed', '');
  }

  function onReopen(t, form) {
    const reason = $('reopen-reason');
    if (!reason.value.trim()) {
      H.showErrors(form, [{
        control: reason,
        message: 'Skriv hva som fortsatt er galt, så vet IT-servicedesken ' +
            'hva de skal se på.',
      }]);
      return;
    }
    changeStatus('in_progress', reason.value.trim());
  }

  // -- followers

  function renderFollowers() {
    const t = ticketView.ticket;
    const section = $('followers-section');
    // A daemon without followers sends no such field: no section then.
    if (!t || !Array.isArray(t.followers)) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    // A closed ticket has nothing more to follow: the list only.
    const closed = t.status === 'closed';
    $('follower-form').hidden = closed;
    // The reporter removes anyone; a follower only themselves.
    const reporter = t.reporter === me();
    const items = t.followers.map((account) => {
      const li = el('li', 'follower', el('span', 'follower-name', account));
      const self = account === me();
      if (!closed && (reporter || self)) {
        const remove = el('button', {type: 'button', class: 'button-danger',
                                     data: {account}},
                          self ? 'Slutt å følge saken' : 'Fjern',
                          self ? '' : el('span', 'visually-hidden', ` ${account}`));
        remove.addEventListener('click', () => removeFollower(account));
        li.append(remove);
      }
      return li;
    });
    $('follower-list').replaceChildren(...items);
    $('followers-empty').hidden = items.length > 0;
  }

  const FOLLOWER_MESSAGES = {
    account: 'Fant ingen kollega med det brukernavnet i kommunen din. Sjekk ' +
        'stavingen.',
  };

  async function onAddFollower(t, form) {
    if (H.isBusy(form)) return;
    const input = $('follower-account');
    const account = input.value.trim().toLowerCase();
    if (!account) {
      H.showErrors(form, [{control: input,
                           message: 'Skriv brukernavnet til kollegaen.'}]);
      return;
    }
    if ((t.followers || []).includes(account)) {
      H.showErrors(form, [{control: input,
                           message: `${account} følger allerede saken.`}]);
      return;
    }
    H.clearErrors(form);
    H.setBusy(form, true);
    try {
      const answer = await api.post(
          `/api/v1/tickets/${t.id}/followers`, {account});
      input.value = '';
      applyOrLoad(answer, t.id);
      announce(`${account} følger nå saken.`);
    } catch (error) {
      if (error.status === 401) return;
      // Every problem of this one-field form is shown at the field.
      const message = error.field === 'account' || error.status === 404 ||
              error.status === 422 ?
          FOLLOWER_MESSAGES.account :
          H.problemNodes(error);
      H.showErrors(form, [{control: input, message}]);
    } finally {
      H.setBusy(form, false);
    }
  }

  async function removeFollower(account) {
    const t = ticketView.ticket;
    const form = $('follower-form');
    if (!t) return;
    H.clearErrors(form);
    if (H.isBusy(form)) return;
    H.setBusy(form, true);
    try {
      const answer = await api.del(
          `/api/v1/tickets/${t.id}/followers/${encodeURIComponent(account)}`);
      if (account === me()) {
        // No longer theirs to see: back to their own list.
        announce('Du følger ikke lenger saken.');
        location.hash = '#/';
        return;
      }
      applyOrLoad(answer, t.id);
      $('followers-title').focus();
      announce(`${account} følger ikke lenger saken.`);
    } catch (error) {
      if (error.status === 401) return;
      H.showFormProblem(form, H.problemNodes(error));
    } finally {
      H.setBusy(form, false);
    }
  }

  // A follower change answers with the ticket; without it, it is read.
  function applyOrLoad(answer, id) {
    if (answer && answer.id) ticketView.apply(answer); else ticketView.load(id);
  }

  // ------------------------------------------------------------ live

  // Events of the employee's own tickets: the list row moves on from the
  // event's summary; the open ticket is read again (its text, comments).
  function onEvents(events) {
    let changed = false;
    let unknown = false;
    const open = ticketView.ticket;
    for (const event of events) {
      const summary = event.ticket;
      const id = event.ticketId || (summary && summary.id);
      if (!id) continue;
      const row = state.tickets.get(id);
      if (row && summary && (summary.version || 0) > (row.version || 0)) {
        row.status = summary.status || row.status;
        row.priority = summary.priority || row.priority;
        row.version = summary.version;
        if (event.at) row.updatedAt = event.at;
        changed = true;
      } else if (!row && state.listLoaded) {
        unknown = true;  // new to us (filed elsewhere, or now followed)
      }
      if (open && open.id === id) ticketView.scheduleRefresh();
    }
    if (unknown) scheduleListReload();
    if (changed) renderList();
  }

  // The stream could not resume: what is shown may be stale.
  function onResync() {
    if (state.listLoaded || H.currentRoute().name === 'home') {
      scheduleListReload();
    }
    ticketView.scheduleRefresh();
  }

  // ------------------------------------------------------------ start, stop

  // Once, before the first start (common.js's boot).
  function wire() {
    ticketView.wire();
    const search = $('service-search');
    search.addEventListener('input', onSearchInput);
    search.addEventListener('search', onSearchInput);
    search.addEventListener('keydown', onSearchKey);
    $('new-ticket').addEventListener('change', onServiceChosen);
    $('new-ticket').addEventListener('submit', onCreate);
    $('browse-toggle').addEventListener('click', onBrowseToggle);
    $('confirm-close').addEventListener('click', onConfirmClose);
  }

  function start(account) {
    state.account = account;
    loadMunicipality().catch(() => {});
  }

  // Logged out: nothing of this person's stays on the page.
  function stop() {
    clearTimeout(state.listTimer);
    ticketView.reset();
    resetNewForm();
    const select = $('ticket-location');
    select.replaceChildren(el('option', {value: ''}, 'Velg sted'));
    delete select.dataset.filled;
    $('my-tickets').replaceChildren();
    $('category-groups').replaceChildren();
    $('category-browser').hidden = true;
    $('browse-toggle').setAttribute('aria-expanded', 'false');
    Object.assign(state, {
      account: null,
      municipality: null,
      municipalityLoad: null,
      tickets: new Map(),
      listLoaded: false,
      services: new Map(),
      catalogueLoaded: false,
      pending: new Map(),
      justFiled: '',
    });
  }

  H.boot({kind: 'portal', wire, start, stop, route, onEvents, onResync});
})();

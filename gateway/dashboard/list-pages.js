// The console's lists across stations: the operator's cards (tags), every reservation, and
// the transaction history with its filters, cursor paging, CSV and a transaction's readings.
import { action, api, download, el, field, localInput, notify, row, table, when } from './kit.js';

const TAG_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'];

/** Operator cards: add or change one, delete, export and import CSV. */
export function tagsPage(root) {
  const idTag = el('input', { name: 'idTag', maxLength: 20, required: true, placeholder: 'RFID card idTag' });
  const status = el('select', { name: 'status' }, ...TAG_STATUSES.map((s) => el('option', { value: s }, s)));
  const expiry = el('input', { name: 'expiryDate', type: 'datetime-local' });
  const parent = el('input', { name: 'parentIdTag', maxLength: 20, placeholder: 'group (optional)' });
  const note = el('input', { name: 'note', maxLength: 200, placeholder: 'note' });
  const csv = el('input', { type: 'file', name: 'csv', accept: '.csv,text/csv' });
  const list = el('div');

  async function load() {
    const tags = await api('GET', '/api/tags');
    list.replaceChildren(table(['idTag', 'Status', 'Expires', 'Group', 'Note', ''], tags.map((t) => {
      const tr = row(t.idTag, t.status, t.expiryDate ? when(t.expiryDate) : 'never', t.parentIdTag, t.note,
        action('Delete', `Delete card ${t.idTag}? It leaves every station's local list.`, () => api('DELETE', `/api/tags/${encodeURIComponent(t.idTag)}`).then(() => 'deleted'), load));
      tr.dataset.tag = t.idTag;
      tr.addEventListener('click', (e) => {
        if (e.target.tagName === 'BUTTON') return;
        idTag.value = t.idTag;
        status.value = t.status;
        expiry.value = localInput(t.expiryDate);
        parent.value = t.parentIdTag;
        note.value = t.note;
      });
      return tr;
    })));
  }

  const save = action('Save card', () => (idTag.value ? `Save card ${idTag.value} (${status.value})? It goes onto every station's local list.` : (notify('give the card\'s idTag', false), undefined)), async () => {
    const r = await api('PUT', `/api/tags/${encodeURIComponent(idTag.value)}`, {
      status: status.value, expiryDate: expiry.value ? new Date(expiry.value).toISOString() : '', parentIdTag: parent.value, note: note.value,
    });
    return `${r.idTag} ${r.status}`;
  }, load);
  const importCsv = action('Import CSV', () => (csv.files?.[0] ? `Import the cards in ${csv.files[0].name}?` : (notify('choose a CSV file first', false), undefined)), async () => {
    const r = await api('POST', '/api/tags.csv', await csv.files[0].text()).catch((err) => {
      if (err.body?.problems) return err.body;
      throw err;
    });
    return `${r.imported} imported${r.problems.length ? `; ${r.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}` : ''}`;
  }, load);
  const exportCsv = el('button', { type: 'button', textContent: 'Export CSV', onclick: () => download('/api/tags.csv', 'tags.csv').catch((err) => notify(err.message, false)) });
  root.replaceChildren(el('section', { id: 'tags-page' }, el('h2', {}, 'Cards (operator idTags)'),
    el('form', { className: 'inline', onsubmit: (e) => e.preventDefault() }, field('idTag', idTag), field('Status', status), field('Expires', expiry), field('Group', parent), field('Note', note), save),
    el('div', { className: 'inline' }, exportCsv, csv, importCsv), list));
  void load().catch((err) => notify(err.message, false));
}

/** Every station's reservations, operators' and consumers', soonest to end first. */
export function reservationsPage(root) {
  const list = el('div');
  async function load() {
    const stations = await api('GET', '/api/stations');
    const all = (await Promise.all(stations.map(async (s) => (await api('GET', `/api/stations/${encodeURIComponent(s.identity)}/reservations`)).map((r) => ({ ...r, station: s.identity })))))
      .flat().sort((a, b) => Date.parse(a.expiryDate) - Date.parse(b.expiryDate));
    list.replaceChildren(all.length ? table(['Station', 'Connector', 'For', 'Until', ''], all.map((r) => {
      const tr = row(el('a', { href: `#/station/${encodeURIComponent(r.station)}` }, r.station), r.connectorId, r.sessionId ? `consumer ${r.idTag}` : r.idTag, when(r.expiryDate),
        action('Cancel', `Cancel the reservation of connector ${r.connectorId} on ${r.station} for ${r.idTag}?`,
          () => api('DELETE', `/api/stations/${encodeURIComponent(r.station)}/reservations/${r.id}`).then((x) => x.status), load));
      tr.dataset.reservation = String(r.id);
      return tr;
    })) : el('p', {}, 'no reservations; make one from a station\'s page'));
  }
  root.replaceChildren(el('section', { id: 'reservations-page' }, el('h2', {}, 'Reservations'), list));
  void load().catch((err) => notify(err.message, false));
}

/** The history across stations, filtered; pages follow the cursor the API gives, so rows are never repeated or skipped. */
export function transactionsPage(root, query) {
  const filters = {
    station: el('input', { name: 'station', placeholder: 'any station', value: query.get('station') ?? '' }),
    idTag: el('input', { name: 'idTag', placeholder: 'any idTag', value: query.get('idTag') ?? '' }),
    consumer: el('input', { name: 'consumer', placeholder: 'SS58 address or key hex', value: query.get('consumer') ?? '' }),
    state: el('select', { name: 'state' }, el('option', { value: '' }, 'any'), el('option', { value: 'open' }, 'open'), el('option', { value: 'finished' }, 'finished')),
    from: el('input', { name: 'from', type: 'datetime-local', value: localInput(query.get('from')) }),
    to: el('input', { name: 'to', type: 'datetime-local', value: localInput(query.get('to')) }),
  };
  filters.state.value = ['open', 'finished'].includes(query.get('state')) ? query.get('state') : '';
  const list = el('tbody');
  const more = el('button', { type: 'button', textContent: 'More', hidden: true });
  let cursor;

  const params = () => {
    const p = new URLSearchParams();
    for (const [name, input] of Object.entries(filters)) {
      if (!input.value) continue;
      p.set(name, name === 'from' || name === 'to' ? new Date(input.value).toISOString() : input.value);
    }
    return p;
  };

  async function load(append) {
    const p = params();
    p.set('limit', '25');
    if (append && cursor) p.set('cursor', cursor);
    const page = await api('GET', `/api/transactions?${p}`);
    cursor = page.nextCursor;
    more.hidden = !cursor;
    const rows = page.items.map((t) => row(el('a', { href: `#/station/${encodeURIComponent(t.station)}` }, t.station),
      el('a', { href: `#/transactions/${encodeURIComponent(t.station)}/${t.id}` }, String(t.id)), t.connectorId, t.idTag, t.consumer ? `${t.consumer.slice(0, 10)}…` : '', t.state,
      when(t.startTime), when(t.endTime), `${(t.energyWh / 1000).toFixed(3)} kWh`, t.stopReason));
    if (append) list.append(...rows);
    else list.replaceChildren(...rows);
  }
  const show = () => load(false).catch((err) => notify(err.message, false));
  more.addEventListener('click', () => { void load(true).catch((err) => notify(err.message, false)); });
  const exportCsv = el('button', { type: 'button', textContent: 'Export CSV', onclick: () => download(`/api/transactions.csv?${params()}`, 'transactions.csv').catch((err) => notify(err.message, false)) });
  root.replaceChildren(el('section', { id: 'transactions-page' }, el('h2', {}, 'Transactions'),
    el('form', { className: 'inline', onsubmit: (e) => { e.preventDefault(); void show(); } },
      ...Object.entries(filters).map(([name, input]) => field(name, input)), el('button', { type: 'submit', textContent: 'Show' }), exportCsv),
    el('table', {}, el('thead', {}, el('tr', {}, ...['Station', '#', 'Connector', 'idTag', 'Consumer', 'State', 'Start', 'End', 'Energy', 'Stop reason'].map((h) => el('th', {}, h)))), list), more));
  void show();
}

/** One transaction with its meter readings (signed ones marked). */
export function transactionPage(root, station, id) {
  root.replaceChildren(el('section', { id: 'transaction-page' }, el('h2', {}, `Transaction ${id} on ${station}`)));
  void api('GET', `/api/stations/${encodeURIComponent(station)}/transactions/${id}`).then((t) => {
    root.firstChild.append(
      el('p', {}, `${t.idTag || 'no idTag'} on connector ${t.connectorId} · ${t.state} · ${when(t.startTime)} – ${when(t.endTime)} · ${(t.energyWh / 1000).toFixed(3)} kWh${t.stopReason ? ` · ${t.stopReason}` : ''}`),
      table(['Station time', 'Source', 'Values', 'Signed'], t.readings.map((r) => row(when(r.stationTime), r.source,
        (Array.isArray(r.sampledValue) ? r.sampledValue : []).map((v) => `${v.measurand ?? 'Energy.Active.Import.Register'} ${typeof v.value === 'object' ? '…' : v.value}${v.unit ?? v.unitOfMeasure?.unit ?? ''}`).join(', '),
        r.signed ? 'signed' : ''))));
  }).catch((err) => notify(err.message, false));
}

// A station's page: what it is and does now (connectors, firmware, logs, frames, transactions,
// reservations, certificates) refreshed every few seconds, its configuration or device model
// on demand, and every everyday command behind a button that asks first.
import { action, api, download, el, field, notify, row, table, when } from './kit.js';

const REFRESH_MS = 3_000;
const TRIGGERS_16 = ['StatusNotification', 'Heartbeat', 'BootNotification', 'MeterValues', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification'];
const TRIGGERS_201 = ['StatusNotification', 'Heartbeat', 'BootNotification', 'MeterValues', 'TransactionEvent', 'LogStatusNotification', 'FirmwareStatusNotification'];

/** Renders the page of `identity` into `root`; returns what stops its refreshing. */
export function stationPage(root, identity) {
  const base = `/api/stations/${encodeURIComponent(identity)}`;
  const part = (id, title) => el('section', { id }, el('h2', {}, title), el('div', { className: 'body' }));
  const sections = {
    summary: el('section', { id: 'station-summary' }),
    commands: part('station-commands', 'Commands'),
    connectors: part('station-connectors', 'Connectors'),
    configuration: part('station-configuration', 'Configuration'),
    firmware: part('station-firmware', 'Firmware'),
    logs: part('station-logs', 'Logs'),
    reservations: part('station-reservations', 'Reservations'),
    transactions: part('station-transactions', 'Transactions'),
    certificates: part('station-certificates', 'Certificates'),
    frames: part('station-frames', 'OCPP frames'),
  };
  root.replaceChildren(el('div', { className: 'station-page', dataset: { station: identity } }, ...Object.values(sections)));
  const body = (s) => s.querySelector('.body');
  let state;

  async function refresh() {
    try {
      state = await api('GET', base);
    } catch (err) {
      sections.summary.replaceChildren(el('h2', {}, identity), el('p', { className: 'failed' }, err.message));
      return;
    }
    renderSummary();
    renderConnectors();
    const [update, images, logs, reservations, transactions, certificates, frames] = await Promise.all([
      api('GET', `${base}/firmware`), api('GET', '/api/firmware'), api('GET', `${base}/logs`), api('GET', `${base}/reservations`),
      api('GET', `/api/transactions?station=${encodeURIComponent(identity)}&limit=10`), api('GET', `${base}/certificates`), api('GET', `${base}/frames`),
    ].map((p) => p.catch((err) => ({ error: err.message }))));
    renderFirmware(update, images);
    renderLogs(logs);
    renderReservations(reservations);
    renderTransactions(transactions);
    renderCertificates(certificates);
    renderFrames(frames);
  }

  const is16 = () => state?.ocppVersion !== 'ocpp2.0.1';

  function renderSummary() {
    const online = state.connected;
    sections.summary.replaceChildren(
      el('h2', {}, `${identity} `, el('span', { className: `connector status-${online ? 'Available' : 'Offline'}` }, online ? 'online' : 'offline')),
      el('p', {}, [`OCPP ${state.ocppVersion.replace('ocpp', '') || '?'}`, state.status || 'never booted', `last seen ${when(state.lastSeenAt)}`,
        [state.boot?.ChargePointVendor, state.boot?.chargePointModel, state.boot?.firmwareVersion && `firmware ${state.boot.firmwareVersion}`].filter(Boolean).join(' ')].filter(Boolean).join(' · ')),
    );
  }

  const vendorId = el('input', { name: 'vendorId', placeholder: 'vendorId', size: 12 });
  const messageId = el('input', { name: 'messageId', placeholder: 'messageId', size: 10 });
  const data = el('input', { name: 'data', placeholder: 'data', size: 12 });

  function renderCommands() {
    const trigger = el('select', { name: 'trigger' }, ...(is16() ? TRIGGERS_16 : TRIGGERS_201).map((m) => el('option', { value: m }, m)));
    const command = (name, body) => api('POST', `${base}/commands/${name}`, body).then((r) => String(r.result?.status ?? r.result ?? 'done'));
    body(sections.commands).replaceChildren(
      action('Soft reset', `Soft reset ${identity}? It ends its transactions and reboots.`, () => command('reset', { type: 'Soft' }), refresh),
      action('Hard reset', `Hard reset ${identity}? It reboots at once.`, () => command('reset', { type: 'Hard' }), refresh),
      action('Clear cache', `Clear the authorization cache of ${identity}?`, () => command('clear-cache', {}), refresh),
      action('Resync local list', `Send ${identity} our whole local list?`, () => command('resync-local-list', {}), refresh),
      el('span', { className: 'group' }, trigger,
        action('Trigger', () => `Ask ${identity} to send ${trigger.value}?`, () => command('trigger', { message: trigger.value }), refresh)),
      el('span', { className: 'group' }, vendorId, messageId, data,
        action('Data transfer', () => (vendorId.value ? `Send ${identity} a DataTransfer for ${vendorId.value}${messageId.value ? ` (${messageId.value})` : ''}?` : (notify('name the vendorId', false), undefined)), async () => {
          const r = await api('POST', `${base}/commands/data-transfer`, { vendorId: vendorId.value, ...(messageId.value ? { messageId: messageId.value } : {}), ...(data.value ? { data: data.value } : {}) });
          return `${r.result.status}${r.result.data === undefined ? '' : `: ${typeof r.result.data === 'string' ? r.result.data : JSON.stringify(r.result.data)}`}`;
        }, refresh)),
    );
  }

  function renderConnectors() {
    const rows = Object.values(state.connectors).filter((c) => c.id > 0).map((c) => {
      const unavailable = c.status === 'Unavailable';
      const tr = row(c.id, el('span', { className: `connector status-${c.status}` }, c.status), c.currentTransaction || '',
        el('span', { className: 'group' },
          action('Unlock', `Unlock connector ${c.id} of ${identity}?`, () => api('POST', `${base}/commands/unlock`, { connectorId: c.id }).then((r) => String(r.result)), refresh),
          action(unavailable ? 'Make available' : 'Make unavailable', `${unavailable ? 'Make' : 'Take'} connector ${c.id} of ${identity} ${unavailable ? 'available' : 'out of service'}?`,
            () => api('POST', `${base}/commands/change-availability`, { connectorId: c.id, operative: unavailable }).then((r) => String(r.result)), refresh)));
      tr.dataset.connector = String(c.id);
      return tr;
    });
    body(sections.connectors).replaceChildren(table(['#', 'Status', 'Transaction', ''], rows));
  }

  // Configuration: shown on demand (it is large), with a form to change one setting.
  const search = el('input', { type: 'search', name: 'search', placeholder: 'search settings' });
  const variable = el('input', { name: 'variable', required: true, placeholder: 'HeartbeatInterval' });
  const component = el('input', { name: 'component', placeholder: 'OCPPCommCtrlr (2.0.1)' });
  const evse = el('input', { name: 'evseId', type: 'number', min: '0', placeholder: '-' });
  const value = el('input', { name: 'value', placeholder: 'new value' });
  const configTable = el('div', { className: 'config-table' });

  async function loadConfiguration() {
    try {
      const view = await api('GET', `${base}/configuration${search.value ? `?search=${encodeURIComponent(search.value)}` : ''}`);
      const rows = view.variables.map((v) => {
        const attribute = v.attributes?.find((a) => a.type === 'Actual') ?? v.attributes?.[0];
        const tr = row(v.name, v.value, attribute?.mutability ?? '', v.rebootRequired ? 'reboot required' : '');
        tr.dataset.variable = v.name;
        // A click fills the form with this setting.
        tr.addEventListener('click', () => {
          variable.value = v.variable;
          component.value = v.component;
          evse.value = v.evseId ? String(v.evseId) : '';
          value.value = v.value;
        });
        return tr;
      });
      configTable.replaceChildren(el('p', {}, `read ${when(view.takenAt)} (${view.source})`), table(['Setting', 'Value', 'Access', ''], rows));
    } catch (err) {
      configTable.replaceChildren(el('p', {}, err.status === 404 ? 'not read yet' : err.message));
    }
  }

  function renderConfigurationForm() {
    const change = action('Change', () => (variable.value ? `Set ${component.value ? `${component.value}/` : ''}${variable.value} to "${value.value}" on ${identity}?` : (notify('name the setting to change', false), undefined)), async () => {
      const r = await api('POST', `${base}/configuration`, {
        variable: variable.value, value: value.value, ...(component.value ? { component: component.value } : {}), ...(evse.value ? { evseId: Number(evse.value) } : {}),
      });
      return `${r.name} ${r.status}${r.rebootRequired ? ' (reboot required)' : ''}`;
    }, loadConfiguration);
    const read = action('Read again', `Read the whole configuration of ${identity} now?`, async () => {
      const r = await api('POST', `${base}/configuration/refresh`, {});
      return `${r.variables} settings read`;
    }, loadConfiguration);
    search.addEventListener('change', () => { void loadConfiguration(); });
    body(sections.configuration).replaceChildren(
      el('form', { className: 'inline', onsubmit: (e) => e.preventDefault() }, field('Setting', variable), ...(is16() ? [] : [field('Component', component), field('EVSE', evse)]), field('Value', value), change),
      el('div', { className: 'inline' }, search, read), configTable,
    );
  }

  // Firmware: the station's update as it goes, and a new one from the images on the node.
  const image = el('select', { name: 'image' });
  const upload = el('input', { type: 'file', name: 'firmware-file' });
  const firmwareStatus = el('div');

  function renderFirmware(update, images) {
    const chosen = image.value;
    if (Array.isArray(images)) {
      image.replaceChildren(...images.map((i) => el('option', { value: i.id }, `${i.name} (${(i.size / 1024).toFixed(0)} KiB, ${i.id.slice(0, 12)}…)`)));
      if (chosen) image.value = chosen;
    }
    const u = update?.update;
    firmwareStatus.replaceChildren(u
      ? el('p', { className: 'firmware-status' }, `${u.imageName}: ${u.status} (${when(u.statusAt)})${u.ended ? '' : ' …'} `, el('small', {}, u.history.map((h) => h.status).join(' → ')))
      : el('p', { className: 'firmware-status' }, 'no update sent'));
  }

  function renderFirmwareForm() {
    const send = action('Update firmware', () => (image.value ? `Install ${image.selectedOptions[0]?.textContent} on ${identity}? It downloads the image and reboots.` : (notify('upload an image first', false), undefined)), async () => {
      const r = await api('POST', `${base}/firmware`, { image: image.value });
      // The station's answer: a quick station may already have reported Downloading (its status).
      return `${r.imageName} ${r.answer}`;
    }, refresh);
    const add = action('Upload image', () => (upload.files?.[0] ? `Upload ${upload.files[0].name} to the node's firmware store?` : (notify('choose a file first', false), undefined)), async () => {
      const file = upload.files[0];
      if (!crypto.subtle) throw new Error('this page is not a secure context (https or localhost), so it cannot checksum the file: use `charging-gateway firmware upload`');
      const digest = hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
      const r = await api('POST', `/api/firmware?name=${encodeURIComponent(file.name)}&sha256=${digest}`, file);
      return `${r.name} kept (${r.size} bytes)`;
    }, refresh);
    body(sections.firmware).replaceChildren(firmwareStatus, el('div', { className: 'inline' }, image, send), el('div', { className: 'inline' }, upload, add));
  }

  // Logs: ask for one, see it arrive, download it.
  const logType = el('select', { name: 'logType' });
  const logList = el('div');

  function renderLogs(logs) {
    if (!Array.isArray(logs)) return logList.replaceChildren(el('p', {}, logs.error));
    logList.replaceChildren(table(['Requested', 'Type', 'Status', 'File', ''], logs.slice().reverse().map((l) => {
      const tr = row(when(l.requestedAt), l.logType, l.status, l.fileName ? `${l.fileName} (${l.size} bytes)` : '',
        l.fileName ? el('button', { type: 'button', textContent: 'Download', onclick: () => download(`${base}/logs/${l.requestId}/file`, l.fileName).catch((err) => notify(err.message, false)) }) : '');
      tr.dataset.request = String(l.requestId);
      return tr;
    })));
  }

  function renderLogForm() {
    logType.replaceChildren(...(is16() ? ['Diagnostics', 'DiagnosticsLog', 'SecurityLog'] : ['DiagnosticsLog', 'SecurityLog']).map((t) => el('option', { value: t }, t)));
    const ask = action('Get log', () => `Ask ${identity} to upload its ${logType.value}?`, async () => {
      const r = await api('POST', `${base}/logs`, logType.value === 'Diagnostics' ? {} : { logType: logType.value });
      return `${r.logType} ${r.status}`;
    }, refresh);
    body(sections.logs).replaceChildren(el('div', { className: 'inline' }, logType, ask), logList);
  }

  const connectorInput = el('input', { name: 'connectorId', type: 'number', min: '0', value: '1' });
  const idTagInput = el('input', { name: 'idTag', placeholder: 'RFID card idTag', maxLength: 20 });
  const minutesInput = el('input', { name: 'minutes', type: 'number', min: '1', max: '1440', value: '30' });
  const reservationList = el('div');

  function renderReservations(list) {
    if (!Array.isArray(list)) return reservationList.replaceChildren(el('p', {}, list.error));
    reservationList.replaceChildren(table(['Connector', 'For', 'Until', ''], list.map((r) => row(r.connectorId, r.sessionId ? `consumer ${r.idTag}` : r.idTag, when(r.expiryDate),
      action('Cancel', `Cancel reservation ${r.id} (connector ${r.connectorId}, ${r.idTag})?`, () => api('DELETE', `${base}/reservations/${r.id}`).then((x) => x.status), refresh)))));
  }

  function renderReservationForm() {
    const reserve = action('Reserve', () => (idTagInput.value ? `Reserve connector ${connectorInput.value} of ${identity} for ${idTagInput.value}, ${minutesInput.value} minutes?` : (notify('give the idTag to reserve for', false), undefined)), async () => {
      const r = await api('POST', `${base}/reservations`, { connectorId: Number(connectorInput.value), idTag: idTagInput.value, minutes: Number(minutesInput.value) });
      return `${r.status} until ${when(r.reservation.expiryDate)}`;
    }, refresh);
    body(sections.reservations).replaceChildren(el('form', { className: 'inline', onsubmit: (e) => e.preventDefault() }, field('Connector', connectorInput), field('idTag', idTagInput), field('Minutes', minutesInput), reserve), reservationList);
  }

  function renderTransactions(page) {
    if (!page.items) return body(sections.transactions).replaceChildren(el('p', {}, page.error));
    body(sections.transactions).replaceChildren(table(['#', 'Connector', 'idTag', 'State', 'Start', 'Energy'],
      page.items.map((t) => row(el('a', { href: `#/transactions/${encodeURIComponent(identity)}/${t.id}` }, String(t.id)), t.connectorId, t.idTag, t.state, when(t.startTime), `${(t.energyWh / 1000).toFixed(3)} kWh`))),
    el('a', { href: `#/transactions?station=${encodeURIComponent(identity)}` }, 'all transactions of this station'));
  }

  function renderCertificates(list) {
    if (!Array.isArray(list)) return body(sections.certificates).replaceChildren(el('p', {}, list.error));
    body(sections.certificates).replaceChildren(list.length
      ? table(['Type', 'Subject', 'Serial', 'Valid until'], list.map((c) => row(c.certificateType, c.subject, c.serialNumber, when(c.notAfter))))
      : el('p', {}, 'none known (Refresh certificates asks the station)'),
    action('Refresh certificates', `Ask ${identity} which certificates it holds?`, () => api('POST', `${base}/commands/refresh-certificates`, {}).then((r) => String(r.result?.status ?? 'done')), refresh));
  }

  function renderFrames(f) {
    const control = f.capturing
      ? action('Stop capture', `Stop capturing the frames of ${identity}?`, () => api('DELETE', `${base}/frames/capture`).then(() => 'stopped'), refresh)
      : action('Capture 10 minutes', `Capture the OCPP frames of ${identity} for 10 minutes (passwords and tokens masked)?`, () => api('POST', `${base}/frames/capture`, { minutes: 10 }).then((r) => `until ${when(r.until)}`), refresh);
    const frames = (f.frames ?? []).slice(-50).reverse();
    body(sections.frames).replaceChildren(el('p', {}, f.capturing ? `capturing until ${when(f.until)}` : 'not capturing'), control,
      el('ol', { className: 'frames' }, ...frames.map((x) => el('li', {}, `${new Date(x.at).toLocaleTimeString()} ${x.direction === 'in' ? '←' : '→'} ${JSON.stringify(x.frame)}`))));
  }

  let timer;
  let stopped = false;
  void refresh().then(() => {
    // Left before the first answer came: no forms, no refreshing.
    if (!state || stopped) return;
    renderCommands();
    renderConfigurationForm();
    renderFirmwareForm();
    renderLogForm();
    renderReservationForm();
    void loadConfiguration();
    timer = setInterval(() => { void refresh(); }, REFRESH_MS);
  });
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** The digest as lower-case hex, as the admin API takes a sha256. */
function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

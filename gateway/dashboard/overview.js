// The live overview: snapshots arrive over Server-Sent Events once a second; power is the
// energy register's growth over the station's own meter time.
import { el, token } from './kit.js';

const COLORS = ['#2764c5', '#c5532b', '#2e9e5b', '#8c3bc5', '#c59a1e'];
const WINDOW_MS = 5 * 60_000;
const power = new Map();     // station -> [{t, kw}]
const lastMeter = new Map(); // session id -> {wh, time (ms), kw}
let previous;

function addEvent(text, at = new Date()) {
  const list = document.getElementById('events');
  list.prepend(el('li', {}, `${at.toLocaleTimeString()}  ${text}`));
  while (list.children.length > 50) list.lastChild.remove();
}

/** What happened before the page opened, from the node's store (oldest first, so the newest ends on top). */
async function loadRecent() {
  const res = await fetch(`/api/recent?limit=20`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) return;
  for (const e of (await res.json()).reverse()) addEvent(`${e.station} ${e.text}`, new Date(e.at));
}

/** Tells a missing or wrong token apart from a node that is away. */
async function explainError() {
  const link = document.getElementById('link');
  const res = await fetch('/api/dashboard', { headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
  if (res && res.status === 401) {
    link.textContent = token ? 'the admin token is wrong' : 'no admin token';
    link.className = 'link down';
    document.getElementById('notice').hidden = false;
    return true;
  }
  link.textContent = 'reconnecting…';
  link.className = 'link down';
  return false;
}

function diff(snapshot) {
  if (!previous) return;
  const before = new Map(previous.stations.map((s) => [s.identity, s]));
  for (const s of snapshot.stations) {
    const old = before.get(s.identity);
    if (!old) { addEvent(`${s.identity} appeared`); continue; }
    if (old.connected !== s.connected) addEvent(`${s.identity} ${s.connected ? 'connected' : 'disconnected'}`);
    for (const c of s.connectors) {
      const was = old.connectors.find((o) => o.id === c.id);
      if (was && was.status !== c.status) addEvent(`${s.identity} connector ${c.id}: ${was.status} → ${c.status}`);
    }
    for (const session of s.sessions) if (!old.sessions.some((o) => o.id === session.id)) addEvent(`${s.identity}: session ${session.state} on connector ${session.connectorId || '-'}`);
    for (const o of old.sessions) if (!s.sessions.some((n) => n.id === o.id)) addEvent(`${s.identity}: session on connector ${o.connectorId} ended`);
  }
}

function render(snapshot) {
  const stations = document.querySelector('#stations tbody');
  stations.replaceChildren(...snapshot.stations.map((s) => {
    const row = el('tr', { className: s.connected ? '' : 'offline' });
    // The station's own page: its connectors, configuration, firmware, logs and commands.
    row.append(el('td', {}, el('a', { href: `#/station/${encodeURIComponent(s.identity)}` }, s.identity)), el('td', {}, s.version.replace('ocpp', '') || '-'));
    const cell = el('td');
    if (s.connected) {
      for (const c of s.connectors) cell.append(el('span', { className: `connector status-${c.status}`, title: c.transaction ? `transaction ${c.transaction}` : '' }, `${c.id}: ${c.status}`));
    } else {
      // Its last reported statuses may be stale: say it is offline and since when.
      cell.append(el('span', { className: 'connector status-Offline' }, 'offline'));
      cell.append(el('span', { className: 'last-seen' }, s.lastSeenAt ? `last seen ${new Date(s.lastSeenAt).toLocaleString()}` : 'never seen'));
    }
    row.append(cell);
    row.dataset.station = s.identity;
    return row;
  }));
  const sessions = document.querySelector('#sessions tbody');
  sessions.replaceChildren(...snapshot.stations.flatMap((s) => s.sessions.map((x) => {
    const row = el('tr');
    row.append(el('td', {}, s.identity), el('td', {}, String(x.connectorId || '-')), el('td', {}, x.state),
      el('td', {}, `${(x.energyWh / 1000).toFixed(3)} kWh`), el('td', {}, `${x.currentA.toFixed(1)} A`), el('td', {}, `${x.voltageV.toFixed(0)} V`),
      el('td', {}, `${x.consumer.slice(0, 8)}…`));
    return row;
  })));
}

function renderMoney(snapshot) {
  const section = document.getElementById('money');
  if (!snapshot.money) return;
  section.hidden = false;
  const { openPayouts, unpaid } = snapshot.money;
  document.getElementById('payouts').textContent = `${openPayouts} payout(s) wait for the consumer's approval on chain; ${unpaid.length} session(s) unpaid`;
  document.querySelector('#unpaid tbody').replaceChildren(...unpaid.map((u) => {
    const row = el('tr');
    row.append(el('td', {}, u.station), el('td', {}, u.session.slice(0, 8)), el('td', {}, `${u.consumer.slice(0, 8)}…`), el('td', { title: `${u.amount} in smallest units` }, u.amountText));
    return row;
  }));
}

function track(snapshot) {
  const now = Date.parse(snapshot.at);
  for (const s of snapshot.stations) {
    let kw = 0;
    for (const x of s.sessions) {
      // A session without a transaction has no reading yet: nothing to measure from.
      const time = Date.parse(x.meterTime);
      if (!Number.isFinite(time)) continue;
      const before = lastMeter.get(x.id);
      const sessionKw = before && time > before.time ? ((x.meterWh - before.wh) / 1000) / ((time - before.time) / 3_600_000) : before?.kw ?? 0;
      kw += sessionKw;
      lastMeter.set(x.id, { wh: x.meterWh, time, kw: sessionKw });
    }
    const series = power.get(s.identity) ?? [];
    series.push({ t: now, kw });
    while (series.length && series[0].t < now - WINDOW_MS) series.shift();
    power.set(s.identity, series);
  }
}

function chart() {
  const svg = document.getElementById('chart');
  const all = [...power.values()].flat();
  const max = Math.max(1, ...all.map((p) => p.kw));
  const now = Date.now();
  svg.replaceChildren();
  // Axes: power (kW) on the left, time (minutes ago) along the bottom.
  const text = (x, y, label, anchor = 'start') => {
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y));
    t.setAttribute('text-anchor', anchor);
    t.setAttribute('class', 'axis');
    t.textContent = label;
    svg.append(t);
  };
  for (const f of [0, 0.5, 1]) text(2, (187 - 180 * f + (f === 1 ? 6 : 0)).toFixed(0), `${(max * f).toFixed(1)} kW`);
  for (const m of [5, 4, 3, 2, 1, 0]) text(600 * (1 - (m * 60_000) / WINDOW_MS), 198, m ? `-${m} min` : 'now', m === 5 ? 'start' : m === 0 ? 'end' : 'middle');
  const legend = document.getElementById('legend');
  legend.replaceChildren();
  [...power.entries()].forEach(([station, series], i) => {
    const color = COLORS[i % COLORS.length];
    const points = series.map((p) => `${(600 * (1 - (now - p.t) / WINDOW_MS)).toFixed(1)},${(195 - 190 * (p.kw / max)).toFixed(1)}`).join(' ');
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', points);
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', color);
    line.setAttribute('stroke-width', '2');
    line.dataset.station = station;
    line.dataset.max = String(Math.max(0, ...series.map((p) => p.kw)));
    svg.append(line);
    legend.append(el('span', { style: `color:${color}` }, `● ${station} ${(series.at(-1)?.kw ?? 0).toFixed(1)} kW`));
  });
}

function connect() {
  const link = document.getElementById('link');
  const source = new EventSource(`/api/stream?token=${encodeURIComponent(token)}`);
  source.onopen = () => { link.textContent = 'live'; link.className = 'link up'; };
  source.onerror = () => {
    // A wrong token never gets better by retrying: say so and stop.
    void explainError().then((denied) => { if (denied) source.close(); });
  };
  source.addEventListener('snapshot', (e) => {
    const snapshot = JSON.parse(e.data);
    diff(snapshot);
    track(snapshot);
    render(snapshot);
    renderMoney(snapshot);
    chart();
    previous = snapshot;
  });
}
/** Starts the overview once: it keeps its stream and its event list while other pages show. */
export function startOverview() {
  void loadRecent();
  connect();
}

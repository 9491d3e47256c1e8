// What every page of the console shares: the admin token, calls to the admin API, elements,
// the confirmation every change goes through, and the line that says how it went.

/** The token arrives once in the address (#token=…) and is kept for this tab only. */
const fromAddress = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromAddress) {
  sessionStorage.setItem('cgw-token', fromAddress);
  // Out of the address bar (and the history) once read.
  history.replaceState(null, '', `${location.pathname}#/`);
}
export const token = fromAddress || sessionStorage.getItem('cgw-token') || '';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** One admin API call: JSON in and out (a string body goes as CSV, a Blob as bytes); throws ApiError with the API's words. */
export async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${token}` };
  let payload;
  if (typeof body === 'string') {
    headers['Content-Type'] = 'text/csv';
    payload = body;
  } else if (body instanceof Blob) {
    headers['Content-Type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  if (!res.ok) throw new ApiError(res.status, typeof json === 'object' ? json : { error: text || res.statusText });
  return json;
}

/** A file from the admin API saved by the browser (the token goes in a header, so a plain link would not do). */
export async function download(path, name) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({ error: res.statusText })));
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e[k] = v;
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(c);
  return e;
};

export const table = (headers, rows, attrs = {}) => el('table', attrs, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))), el('tbody', {}, ...rows));
export const row = (...cells) => el('tr', {}, ...cells.map((c) => (c instanceof Node ? el('td', {}, c) : el('td', {}, c === undefined || c === null || c === '' ? '-' : String(c)))));
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '-');

/** An ISO time as a datetime-local field shows it: the browser's local time (the field reads it back as local). */
export function localInput(iso) {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The confirmation dialog: resolves true only when the operator presses Confirm. */
export function confirmAction(question) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = question;
  // Closed without a button (Esc) must not count as the last answer.
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

/** What the last action did (or why not), where the operator looks. */
export function notify(text, ok = true) {
  const line = document.getElementById('result');
  line.textContent = text;
  line.className = ok ? 'ok' : 'failed';
  line.hidden = false;
}

/**
 * A button that changes something: asks first, runs, says the outcome in words and refreshes
 * what it changed. `run` returns the line to show.
 */
export function action(label, question, run, after) {
  const button = el('button', { type: 'button', textContent: label });
  button.addEventListener('click', async () => {
    const q = typeof question === 'function' ? question() : question;
    if (q === undefined) return;
    if (!(await confirmAction(q))) return;
    button.disabled = true;
    try {
      notify(`${label}: ${await run()}`);
    } catch (err) {
      notify(`${label} failed: ${err.message}`, false);
    } finally {
      button.disabled = false;
    }
    await Promise.resolve(after?.()).catch((err) => notify(`could not refresh: ${err.message}`, false));
  });
  return button;
}

/** A field with its label. */
export const field = (label, input) => el('label', { className: 'field' }, `${label} `, input);

// The console's pages by address: #/ the live overview, #/station/<id>, #/tags,
// #/reservations, #/transactions[?filters] and #/transactions/<station>/<id>.
import { startOverview } from './overview.js';
import { stationPage } from './station-page.js';
import { reservationsPage, tagsPage, transactionPage, transactionsPage } from './list-pages.js';

const overview = document.getElementById('overview');
const page = document.getElementById('page');
let stop;

function route() {
  stop?.();
  stop = undefined;
  document.getElementById('result').hidden = true;
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  overview.hidden = parts.length > 0;
  page.hidden = parts.length === 0;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('current', link.getAttribute('href') === `#/${parts[0] ?? ''}`);
  if (parts[0] === 'station' && parts[1]) stop = stationPage(page, parts[1]);
  else if (parts[0] === 'tags') tagsPage(page);
  else if (parts[0] === 'reservations') reservationsPage(page);
  else if (parts[0] === 'transactions' && parts[1] && parts[2]) transactionPage(page, parts[1], Number(parts[2]));
  else if (parts[0] === 'transactions') transactionsPage(page, new URLSearchParams(search));
  else if (parts.length) page.replaceChildren(`no page ${location.hash}`);
}

startOverview();
window.addEventListener('hashchange', route);
route();

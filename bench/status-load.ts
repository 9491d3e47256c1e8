// Station load for event-throughput.ts, in its own process so that the wallet measuring the
// events has a core of its own: N raw `ws` 1.6 stations flip their connector status as fast as
// they are answered. Forked with <ocppUrl> <stations>; sends {ready}; on {seconds} runs the
// load and sends {caused}.
import { RawStation } from '../test/helpers/clients.ts';

const [url = '', count = '50'] = process.argv.slice(2);
const STATUSES = ['Available', 'Preparing'];
const stations = await Promise.all(Array.from({ length: Number(count) }, async (_, i) => {
  const s = await RawStation.connect(`${url}/EV-${i}`, 'ocpp1.6');
  await s.call('b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  return s;
}));
process.send!({ ready: true });
process.on('message', (msg: { seconds?: number; exit?: boolean }) => {
  if (msg.exit) {
    for (const s of stations) s.ws.terminate();
    process.exit(0);
  }
  void (async () => {
    let caused = 0;
    const until = Date.now() + (msg.seconds ?? 5) * 1000;
    await Promise.all(stations.map(async (s, i) => {
      for (let n = 0; Date.now() < until; n++) {
        await s.call(`s${n}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: STATUSES[(n + i) % 2] });
        caused++;
      }
    }));
    process.send!({ caused });
  })();
});

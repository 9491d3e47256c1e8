// Charge points for session-latency.ts, in their own process: N ocpp-rpc 1.6 chargers (strict)
// that keep the local list the gateway sends and start/stop transactions on remote commands.
//   forked with: <ocppUrl> <count> <prefix>; sends {ready} once every charger has booted.
import { Charger } from '../test/helpers/charger.ts';

const [url = '', count = '1', prefix = 'LAT'] = process.argv.slice(2);
const chargers: Charger[] = [];
for (let i = 0; i < Number(count); i += 50) {
  chargers.push(...await Promise.all(Array.from({ length: Math.min(50, Number(count) - i) }, async (_, j) => {
    const charger = await Charger.connect(url, `${prefix}-${i + j}`, 'ocpp1.6');
    await charger.status(1, 'Available');
    return charger;
  })));
}
process.send!({ ready: chargers.length });
process.on('message', (msg) => {
  if (msg === 'stop') void Promise.all(chargers.map((c) => c.close())).then(() => process.exit(0));
});

import type { EVChargingStatusData } from '../proto/types.ts';
import type { Sample } from './model.ts';

// OCPP's default measurand when a sampled value names none.
export const ENERGY_REGISTER = 'Energy.Active.Import.Register';

const WH_PER: Record<string, number> = { Wh: 1, kWh: 1000 };

/** The energy register in Wh among the samples, if one is there in a known unit. */
export function energyRegisterWh(samples: Sample[]): number | undefined {
  const sample = samples.find((s) => s.measurand === ENERGY_REGISTER && s.unit in WH_PER && s.phase === undefined)
    ?? samples.find((s) => s.measurand === ENERGY_REGISTER && s.unit in WH_PER);
  return sample ? Math.round(sample.value * WH_PER[sample.unit]!) : undefined;
}

function pick(samples: Sample[], measurands: string[], unit: string): Sample[] {
  for (const measurand of measurands) {
    const found = samples.filter((s) => s.measurand === measurand && s.unit === unit);
    if (found.length) return found;
  }
  return [];
}

/**
 * The progress figures of EVChargingStatusData: the offered current (the highest phase, or
 * the imported current when the station does not report an offer) and the mean voltage.
 * Undefined when the samples carry neither, so older figures are not overwritten by zeros.
 */
export function chargingStatus(samples: Sample[], previous?: EVChargingStatusData): EVChargingStatusData | undefined {
  const currents = pick(samples, ['Current.Offered', 'Current.Import'], 'A');
  const voltages = pick(samples, ['Voltage'], 'V');
  if (!currents.length && !voltages.length) return undefined;
  return {
    currentOffered: currents.length ? Math.max(...currents.map((s) => s.value)) : previous?.currentOffered ?? 0,
    currentUnit: 'A',
    voltageOffered: voltages.length ? voltages.reduce((sum, s) => sum + s.value, 0) / voltages.length : previous?.voltageOffered ?? 0,
    voltageUnit: 'V',
  };
}

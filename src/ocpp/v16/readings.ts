import type { MeterReading, Sample } from '../../domain/model.ts';
import { ENERGY_REGISTER } from '../../domain/meter.ts';
import { readStationTime } from '../core/timestamps.ts';
import type { Actions16 } from './schema-types.ts';

type MeterValue16 = Actions16['MeterValues']['req']['meterValue'][number];

/** 1.6 meterValue entries as domain readings. Signed or unparsable values stay in rawJson only. */
export function readings16(meterValues: MeterValue16[] | undefined, now: Date): MeterReading[] {
  return (meterValues ?? []).map((mv) => {
    const samples: Sample[] = [];
    for (const sv of mv.sampledValue) {
      if (sv.format === 'SignedData') continue;
      const value = Number(sv.value);
      if (!Number.isFinite(value) || sv.value.trim() === '') continue;
      samples.push({
        measurand: sv.measurand ?? ENERGY_REGISTER,
        value,
        unit: sv.unit ?? 'Wh',
        ...(sv.phase ? { phase: sv.phase } : {}),
      });
    }
    return { stationTime: readStationTime(mv.timestamp, now).iso, samples, rawJson: JSON.stringify(mv.sampledValue) };
  });
}

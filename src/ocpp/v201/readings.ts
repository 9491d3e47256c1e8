import { ENERGY_REGISTER } from '../../domain/meter.ts';
import type { MeterReading } from '../../domain/model.ts';
import { readStationTime } from '../core/timestamps.ts';
import type { MeterValueType } from './schema-types.ts';

/** 2.0.1 meterValue entries as domain readings: unit default Wh, value scaled by 10^multiplier. */
export function readings201(meterValues: MeterValueType[] | undefined, now: Date): MeterReading[] {
  return (meterValues ?? []).map((mv) => ({
    stationTime: readStationTime(mv.timestamp, now).iso,
    samples: mv.sampledValue.map((sv) => ({
      measurand: sv.measurand ?? ENERGY_REGISTER,
      value: sv.value * 10 ** (sv.unitOfMeasure?.multiplier ?? 0),
      unit: sv.unitOfMeasure?.unit ?? 'Wh',
      ...(sv.phase ? { phase: sv.phase } : {}),
    })),
    rawJson: JSON.stringify(mv.sampledValue),
  }));
}

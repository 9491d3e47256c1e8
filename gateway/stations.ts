import { createStationDirectory, type StationDirectory, type StationPolicy } from '../src/ocpp/core/stations.ts';
import { hashesForConfiguredPassword } from '../src/ocpp/core/passwords.ts';
import type { Config } from './config/schema.ts';

/** The station directory from configuration: listed stations, plus open registration if enabled. */
export function directoryFromConfig(stations: Config['stations']): StationDirectory {
  const d = stations.defaults;
  const list: StationPolicy[] = stations.list.map((s) => ({
    identity: s.identity,
    securityProfile: s.securityProfile,
    versions: s.versions ?? d.versions,
    validation: s.validation ?? d.validation,
    registration: s.registration ?? d.registration,
    passwordHashes: s.password ? hashesForConfiguredPassword(s.password) : [],
  }));
  return createStationDirectory({
    stations: list,
    ...(stations.registration === 'open'
      ? { openRegistrationDefaults: { versions: d.versions, validation: d.validation, registration: d.registration } }
      : {}),
  });
}

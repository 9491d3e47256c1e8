/** The OCPP-J subprotocols this central system speaks, as negotiated in Sec-WebSocket-Protocol. */
export const OCPP_VERSIONS = ['ocpp1.6', 'ocpp2.0.1'] as const;
export type OcppVersion = (typeof OCPP_VERSIONS)[number];

export function isOcppVersion(value: string): value is OcppVersion {
  return (OCPP_VERSIONS as readonly string[]).includes(value);
}

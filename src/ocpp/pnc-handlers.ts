import type { Logger } from '../log/logger.ts';
import type { StationInfo } from '../domain/certificates.ts';
import type { PlugAndChargeService } from '../domain/ports.ts';
import { BridgeError } from '../app/bridge-error.ts';
import type { ChargingBridge } from '../app/charging-bridge.ts';
import type { OcppConnection } from './core/connection.ts';
import type { PncStationHandlers, PncStationMessages } from './pnc-messages.ts';
import type { StationCertificates } from '../app/station-certificates.ts';

export interface PncHandlerDeps {
  pnc: PlugAndChargeService;
  certificates: StationCertificates;
  bridge: ChargingBridge;
  securityProfileOf: (identity: string) => number;
  log: Logger;
}

type AuthorizeConf = PncStationMessages['Authorize']['conf'];

// Why the bridge refused a contract's session, as a 2.0.1 authorization status.
const REFUSAL_STATUS: Partial<Record<string, AuthorizeConf['idTokenInfo']['status']>> = { InsufficientDeposit: 'NoCredit', ChainUnavailable: 'NoCredit', Conflict: 'ConcurrentTx' };

/**
 * The station side of Plug & Charge for both versions (2.0.1 CALLs, 1.6 DataTransfer):
 * certificate requests go to src/pnc; a contract that checks out becomes a consumer session.
 */
export function createPncHandlers(deps: PncHandlerDeps): PncStationHandlers {
  const station = (c: OcppConnection): StationInfo => ({ identity: c.identity, securityProfile: deps.securityProfileOf(c.identity) });
  return {
    Get15118EVCertificate: (p, c) => deps.pnc.get15118EVCertificate(station(c), p),
    GetCertificateStatus: (p, c) => deps.pnc.getCertificateStatus(station(c), p),

    async SignCertificate(p, c) {
      const request = { csr: p.csr, certificateType: p.certificateType ?? 'ChargingStationCertificate' as const };
      const answer = await deps.pnc.checkSigningRequest(station(c), request);
      if (answer.status === 'Accepted') {
        // Signed after the answer has gone out; the chain follows in CertificateSigned.
        setImmediate(() => {
          deps.pnc.sign(station(c), request).then(
            (chain) => deps.certificates.deliverSigned(c.identity, chain, request.certificateType),
            (err: unknown) => deps.log.error('signing a station certificate failed', { station: c.identity, type: request.certificateType, err }),
          );
        });
      }
      return answer;
    },

    async Authorize(p, c): Promise<AuthorizeConf> {
      const check = await deps.pnc.checkContract(station(c), {
        eMAID: p.idToken.idToken,
        ...(p.certificate ? { certificate: p.certificate } : {}),
        ...(p.iso15118CertificateHashData ? { hashData: p.iso15118CertificateHashData } : {}),
      });
      const certificateStatus = check.certificateStatus ? { certificateStatus: check.certificateStatus } : {};
      if (check.status !== 'Accepted' || !check.holder) {
        deps.log.info('contract refused', { station: c.identity, emaid: p.idToken.idToken, reason: check.reason });
        return { idTokenInfo: { status: check.status }, ...certificateStatus };
      }
      try {
        const session = await deps.bridge.authorizeContract({
          station: c.identity, consumerKey: check.holder.consumerPublicKey, emaid: check.holder.emaid, idTag: p.idToken.idToken,
        });
        return { idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: session.expiresAt }, ...certificateStatus };
      } catch (err) {
        if (!(err instanceof BridgeError)) throw err;
        deps.log.info('contract session refused', { station: c.identity, emaid: check.holder.emaid, code: err.code, reason: err.message });
        return { idTokenInfo: { status: REFUSAL_STATUS[err.code] ?? 'Invalid' }, ...certificateStatus };
      }
    },
  };
}

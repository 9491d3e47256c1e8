import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecrets } from '../../../src/domain/secrets.ts';

describe('credentials in operator commands', () => {
  it('keeps a station password out of what is recorded, in either version, and everything else as sent', () => {
    assert.deepEqual(redactSecrets('ChangeConfiguration', { key: 'AuthorizationKey', value: '0123456789abcdef0123456789abcdef' }), { key: 'AuthorizationKey', value: '***' });
    assert.deepEqual(redactSecrets('ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' }), { key: 'HeartbeatInterval', value: '60' });
    assert.deepEqual(redactSecrets('SetVariables', {
      setVariableData: [
        { attributeValue: 'new-password-16ch', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { attributeValue: '60', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      ],
    }), {
      setVariableData: [
        { attributeValue: '***', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { attributeValue: '60', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      ],
    });
  });

  it('redacts a network profile\'s VPN and APN secrets, but not a configuration key\'s name', () => {
    const profile = {
      configurationSlot: 1,
      connectionData: {
        ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://csms.example/ocpp', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0',
        vpn: { server: 'vpn.example', user: 'cp', password: 'vpn-pass', key: 'shared-secret', type: 'IPSec' },
        apn: { apn: 'internet', apnUserName: 'u', apnPassword: 'apn-pass', apnAuthentication: 'AUTO' },
      },
    };
    const kept = redactSecrets('SetNetworkProfile', profile) as typeof profile;
    assert.deepEqual([kept.connectionData.vpn.password, kept.connectionData.vpn.key, kept.connectionData.apn.apnPassword], ['***', '***', '***']);
    assert.equal(kept.connectionData.ocppCsmsUrl, 'wss://csms.example/ocpp');
    assert.equal(profile.connectionData.vpn.key, 'shared-secret', 'the payload sent is not changed');
    assert.deepEqual(redactSecrets('GetConfiguration', { key: ['AuthorizationKey'] }), { key: ['AuthorizationKey'] });
  });
});

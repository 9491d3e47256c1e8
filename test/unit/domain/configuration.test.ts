import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffSnapshots, newVariable, searchVariables, variableName, withChange, withoutSecrets, type ConfigurationSnapshot } from '../../../src/domain/configuration.ts';

const snapshot = (values: Record<string, string>): ConfigurationSnapshot => ({
  takenAt: '2026-12-06T10:00:00.000Z', source: 'GetConfiguration', unknownKeys: [],
  variables: Object.entries(values).map(([key, value]) => newVariable({ variable: key }, [{ value, mutability: 'ReadWrite' }])),
});

describe('station configuration rules', () => {
  it('names a 1.6 key by itself and a 2.0.1 variable with its component, instance and EVSE', () => {
    assert.equal(variableName({ variable: 'HeartbeatInterval' }), 'HeartbeatInterval');
    assert.equal(variableName({ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }), 'OCPPCommCtrlr/HeartbeatInterval');
    assert.equal(variableName({ component: 'Connector', componentInstance: 'A', evseId: 1, connectorId: 2, variable: 'Available', variableInstance: 'x' }), 'Connector:A[evse 1, connector 2]/Available:x');
  });

  it('keeps an accepted change as a snapshot of its own: the value in use, or the target until a reboot', () => {
    const before = snapshot({ HeartbeatInterval: '300', WebSocketPingInterval: '30' });
    const at = '2026-12-06T11:00:00.000Z';
    const after = withChange(withChange(before, { variable: 'HeartbeatInterval' }, '60', false, at), { variable: 'WebSocketPingInterval' }, '10', true, at);
    assert.equal(before.variables[0]!.attributes[0]!.value, '300', 'the original is untouched');
    assert.deepEqual([after.takenAt, after.source], [at, 'Change']);
    assert.deepEqual(after.variables.map((v) => [v.variable, v.attributes.map((a) => `${a.type}=${a.value}`).join(','), v.rebootRequired]), [
      ['HeartbeatInterval', 'Actual=60', false],
      ['WebSocketPingInterval', 'Actual=30,Target=10', true],
    ]);
    const added = withChange(before, { variable: 'NewKey' }, 'on', false, at);
    assert.deepEqual(added.variables.at(-1)?.attributes.map((a) => a.value), ['on'], 'a variable the snapshot did not list is added');
  });

  it('never keeps a credential: a station password set or read is stored as ***', () => {
    const at = '2026-12-06T11:00:00.000Z';
    const changed = withChange(snapshot({}), { variable: 'AuthorizationKey' }, '0123456789abcdef0123456789abcdef', false, at);
    assert.equal(changed.variables[0]!.attributes[0]!.value, '***');
    const read = withoutSecrets([newVariable({ component: 'SecurityCtrlr', variable: 'BasicAuthPassword' }, [{ value: 'secret-from-station' }]), newVariable({ variable: 'HeartbeatInterval' }, [{ value: '300' }])]);
    assert.deepEqual(read.map((v) => v.attributes[0]!.value), ['***', '300']);
  });

  it('finds by name or value, any case', () => {
    const s = snapshot({ HeartbeatInterval: '300', MeterValueSampleInterval: '60', AuthorizeRemoteTxRequests: 'true' });
    assert.deepEqual(searchVariables(s, 'interval').map((v) => v.variable), ['HeartbeatInterval', 'MeterValueSampleInterval']);
    assert.deepEqual(searchVariables(s, 'TRUE').map((v) => v.variable), ['AuthorizeRemoteTxRequests']);
  });

  it('shows a change waiting for a reboot beside the value in use', () => {
    const before = snapshot({ WebSocketPingInterval: '30' });
    const after = withChange(before, { variable: 'WebSocketPingInterval' }, '60', true, '2026-12-06T11:00:00.000Z');
    assert.deepEqual(diffSnapshots(before, after), [{ name: 'WebSocketPingInterval', before: '30', after: '30 (60 after a reboot)' }]);
  });

  it('lists what was added, removed and changed between two snapshots, and nothing that stayed', () => {
    const changes = diffSnapshots(snapshot({ A: '1', B: '2', Gone: 'x' }), snapshot({ A: '1', B: '3', New: 'y' }));
    assert.deepEqual(changes, [{ name: 'B', before: '2', after: '3' }, { name: 'Gone', before: 'x' }, { name: 'New', after: 'y' }]);
  });
});

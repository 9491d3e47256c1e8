/**
 * LevelDB key layout. Keys are UTF-8 text; ':' separates parts and never occurs in a
 * station identity (refused at the handshake). Numbers are zero-padded so records sort
 * in numeric order within a station.
 *
 *   cp:<identity>                                   ChargePointState (gateway.ChargePointState)
 *   tx:<identity>:<txId>                            finished TransactionInfo
 *   sk:<identity>:<sha256 of 1.6 start key>         transaction id (decimal text)
 *   ot:<identity>:<2.0.1 transactionId>             local transaction id (decimal text)
 *   sq:<identity>:<txId>:<seqNo>                    empty: 2.0.1 seqNo seen outside its transaction's run (TransactionInfo.seq_no_run)
 *   mv:<identity>:<txId>:<connector>:<time>:<hash>  store.MeterSample (replays overwrite themselves)
 *   rp:<identity>:<receivedAt>:<n>                  store.StationReport
 *   ss:<identity>:<sessionId>                       finished session.ConsumerSession (with its receipt)
 *   sc:<consumer key hex>:<createdAt>:<sessionId>   the station identity: a consumer's sessions by time
 *   nn:<minute>:<signer hex>:<nonce hex>            empty: a request nonce seen (dropped after the window)
 *   ob:<outbox id>                                  store.OutboxEntry: an event not yet published
 *   oc:<topic>                                      last sequence number given out on a topic (a station's own
 *                                                   topic: in its state, event_seq; older folders hold it here too)
 *   es:<identity>                                   last sequence number of a deleted station's topic (decimal text)
 *   ev:<topic>:<seq>                                a published event envelope, kept for catch-up
 *   st:<sessionId>                                  store.SettlementJob: a session to settle on chain
 *   po:<consumer key hex>:<sessionId>:<kind>:<seq>  store.Payout: a payout from the consumer's multisig
 *   pw:<call hash>                                  the po: key of a payout not yet executed (the chain watcher's list)
 *   db:<consumer key hex>:<sessionId>               store.Debt: what a settled session's deposit did not cover
 *   ce:<identity>:<certificate id>                  store.StationCertificate (id: serial-issuerKeyHash prefix)
 *   cf:<identity>:<taken at>                        store.ConfigurationSnapshot (the last few per station)
 *   tg:<idTag>                                      store.OperatorTag: an operator's card
 *   fw:<sha256>                                     store.FirmwareImage (the file: <data>/files/firmware/<sha256>)
 *   fr:<rollout id>                                 store.FirmwareRollout
 *   lu:<identity>:<requestId>                       store.LogUpload (the file: <data>/files/logs/<identity>/<requestId>)
 *   au:<seq>                                        store.AuditEntry: a change asked of the admin API
 *   em:<eMAID>                                      store.ContractRegistration
 *   ec:<consumer key hex>:<eMAID>                   empty: a consumer's contracts
 */
const pad = (n: number): string => String(n).padStart(10, '0');
// Every record of one station keyed by its identity, besides its state and certificates.
const STATION_PREFIXES = ['tx', 'sk', 'ot', 'sq', 'mv', 'rp', 'lu'] as const;

export const keys = {
  state: (identity: string) => `cp:${identity}`,
  stateRange: { gte: 'cp:', lt: 'cp;' },
  stationRanges: (identity: string) => STATION_PREFIXES.map((prefix) => ({ gte: `${prefix}:${identity}:`, lt: `${prefix}:${identity};` })),
  finished: (identity: string, txId: number) => `tx:${identity}:${pad(txId)}`,
  finishedRange: (identity: string) => ({ gte: `tx:${identity}:`, lt: `tx:${identity};` }),
  startKey: (identity: string, hash: string) => `sk:${identity}:${hash}`,
  ocppTransaction: (identity: string, ocppId: string) => `ot:${identity}:${ocppId}`,
  seqNo: (identity: string, txId: number, seqNo: number) => `sq:${identity}:${pad(txId)}:${pad(seqNo)}`,
  reading: (identity: string, txId: number, connectorId: number, time: string, hash: string) =>
    `mv:${identity}:${pad(txId)}:${pad(connectorId)}:${time}:${hash}`,
  readingRange: (identity: string, txId?: number) => {
    const prefix = txId === undefined ? `mv:${identity}:` : `mv:${identity}:${pad(txId)}:`;
    return { gte: prefix, lt: prefix.slice(0, -1) + ';' };
  },
  report: (identity: string, receivedAt: string, n: number) => `rp:${identity}:${receivedAt}:${pad(n)}`,
  reportRange: (identity: string) => ({ gte: `rp:${identity}:`, lt: `rp:${identity};` }),
  session: (identity: string, sessionId: string) => `ss:${identity}:${sessionId}`,
  sessionRange: (identity: string) => ({ gte: `ss:${identity}:`, lt: `ss:${identity};` }),
  consumerSession: (keyHex: string, createdAt: string, sessionId: string) => `sc:${keyHex}:${createdAt}:${sessionId}`,
  consumerSessionRange: (keyHex: string) => ({ gte: `sc:${keyHex}:`, lt: `sc:${keyHex};` }),
  nonce: (minute: number, signerHex: string, nonceHex: string) => `nn:${pad(minute)}:${signerHex}:${nonceHex}`,
  noncesBefore: (minute: number) => ({ gte: 'nn:', lt: `nn:${pad(minute)}` }),
  newestNonce: { gte: 'nn:', lt: 'nn;', reverse: true, limit: 1 },
  nonceMinute: (key: string): number => Number(key.slice(3, 13)),
  outbox: (id: number) => `ob:${String(id).padStart(16, '0')}`,
  outboxRange: { gte: 'ob:', lt: 'ob;' },
  outboxId: (key: string) => Number(key.slice(3)),
  topicSeq: (topic: string) => `oc:${topic}`,
  topicSeqRange: { gte: 'oc:', lt: 'oc;' },
  deletedStationEventSeq: (identity: string) => `es:${identity}`,
  deletedStationEventSeqRange: { gte: 'es:', lt: 'es;' },
  settlement: (sessionId: string) => `st:${sessionId}`,
  settlementRange: { gte: 'st:', lt: 'st;' },
  payout: (keyHex: string, sessionId: string, kind: string, seq: number) => `po:${keyHex}:${sessionId}:${kind}:${pad(seq)}`,
  payoutRange: (keyHex?: string) => (keyHex === undefined ? { gte: 'po:', lt: 'po;' } : { gte: `po:${keyHex}:`, lt: `po:${keyHex};` }),
  openPayout: (callHash: string) => `pw:${callHash}`,
  openPayoutRange: { gte: 'pw:', lt: 'pw;' },
  debt: (keyHex: string, sessionId: string) => `db:${keyHex}:${sessionId}`,
  debtRange: (keyHex?: string) => (keyHex === undefined ? { gte: 'db:', lt: 'db;' } : { gte: `db:${keyHex}:`, lt: `db:${keyHex};` }),
  certificate: (identity: string, id: string) => `ce:${identity}:${id}`,
  certificateRange: (identity: string) => ({ gte: `ce:${identity}:`, lt: `ce:${identity};` }),
  configuration: (identity: string, takenAt: string) => `cf:${identity}:${takenAt}`,
  configurationRange: (identity: string) => ({ gte: `cf:${identity}:`, lt: `cf:${identity};` }),
  audit: (seq: number) => `au:${String(seq).padStart(16, '0')}`,
  auditSeq: (key: string) => Number(key.slice(3)),
  auditRange: { gte: 'au:', lt: 'au;' },
  tag: (idTag: string) => `tg:${idTag}`,
  tagRange: { gte: 'tg:', lt: 'tg;' },
  firmware: (id: string) => `fw:${id}`,
  firmwareRange: { gte: 'fw:', lt: 'fw;' },
  rollout: (id: string) => `fr:${id}`,
  rolloutRange: { gte: 'fr:', lt: 'fr;' },
  logUpload: (identity: string, requestId: number) => `lu:${identity}:${pad(requestId)}`,
  logUploadRange: (identity: string) => ({ gte: `lu:${identity}:`, lt: `lu:${identity};` }),
  contract: (emaid: string) => `em:${emaid}`,
  consumerContract: (keyHex: string, emaid: string) => `ec:${keyHex}:${emaid}`,
  consumerContractRange: (keyHex: string) => ({ gte: `ec:${keyHex}:`, lt: `ec:${keyHex};` }),
  event: (topic: string, seq: number) => `ev:${topic}:${String(seq).padStart(16, '0')}`,
  eventRange: (topic: string, afterSeq: number) => ({ gt: `ev:${topic}:${String(afterSeq).padStart(16, '0')}`, lt: `ev:${topic};` }),
};

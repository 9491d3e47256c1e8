import type { JSONSchemaType } from 'ajv';

/** The gateway's configuration. The schema below is its single definition: defaults, docs and checks. */
export interface Config {
  dataDir: string;
  log: { level: 'debug' | 'info' | 'warn' | 'error' };
  storage: { fsync: boolean; writeBufferMb: number; reportMaxItemBytes: number; reportBytesPerStation: number };
  memory: { idleCompactionSec: number };
  ocpp: {
    host: string;
    port: number;
    path: string;
    tls: { enabled: boolean; port: number; keyFile: string; certFile: string; caFile: string };
    heartbeatIntervalSec: number;
    bootRetryIntervalSec: number;
    callTimeoutSec: number;
    pingIntervalSec: number;
    maxFrameBytes: number;
    maxMessagesPerSecond: number;
    messageBurst: number;
    framesPerTurn: number;
    maxBadMessagesPerMinute: number;
    handshakeTimeoutSec: number;
    bootTimeoutSec: number;
    maxConnections: number;
    maxPendingConnections: number;
    maxPendingPerAddress: number;
    acceptUnknownIdTags: boolean;
  };
  stations: {
    registration: 'open' | 'closed';
    maxUnlisted: number;
    defaults: StationDefaults;
    list: StationConfig[];
    configuration: { readOnConnect: boolean; maxAgeHours: number; keep: number; reportTimeoutSec: number };
  };
  sessions: {
    startTimeoutSec: number;
    stopTimeoutSec: number;
    authorizationTtlSec: number;
    localListMaxLength: number;
    maxPendingAuthorizations: number;
    maxReservationMinutes: number;
    reservationsWithoutDeposit: boolean;
  };
  p2p: {
    enabled: boolean;
    listen: string[];
    announce: string[];
    keyFile: string;
    requestMaxSkewSec: number;
    requestStreamIdleSec: number;
    requestsPerSecond: number;
    requestBurst: number;
    maxEventsPerSecond: number;
    peaqCompat: { enabled: boolean; station: string };
    bootstrap: string[];
    dht: { privateAddresses: boolean; announceIntervalSec: number };
  };
  admin: { enabled: boolean; host: string; port: number; token: string; tokens: AdminTokenConfig[] };
  chain: {
    endpoint: string;
    minimumDeposit: string;
    waitForFinality: boolean;
  };
  pnc: PncConfig;
  files: {
    publicUrl: string;
    maxFirmwareBytes: number;
    maxLogBytes: number;
    logBytesPerStation: number;
    firmwareTimeoutMin: number;
  };
  tariff: {
    pricePerKwh: string;
    pricePerMinute: string;
    sessionFee: string;
    currency: string;
    decimals: number;
  };
}

export interface IssuerFiles { certFile: string; keyFile: string; chainFile: string; includeRoot: boolean; rootFile: string }

/** ISO 15118 Plug & Charge: the CSMS side of the station's certificate flows. */
export interface PncConfig {
  enabled: boolean;
  organization: string;
  allowInsecureProfiles: boolean;
  ca: {
    externalUrl: string;
    externalToken: string;
    chargingStation: IssuerFiles;
    v2g: IssuerFiles;
    chargingStationValidityDays: number;
    v2gValidityDays: number;
  };
  certificateSigned: { attempts: number; retrySec: number };
  ocsp: { enabled: boolean; timeoutSec: number };
  contractBackend: { url: string; token: string; timeoutSec: number };
  moRootFiles: string[];
}

export interface StationDefaults {
  versions: ('ocpp1.6' | 'ocpp2.0.1')[];
  validation: 'strict' | 'lenient';
  registration: 'Accepted' | 'Pending' | 'Rejected';
}

export interface StationConfig {
  identity: string;
  securityProfile: 0 | 1 | 2 | 3;
  password?: string;
  versions?: ('ocpp1.6' | 'ocpp2.0.1')[];
  validation?: 'strict' | 'lenient';
  registration?: 'Accepted' | 'Pending' | 'Rejected';
}

const versions = {
  type: 'array',
  items: { type: 'string', enum: ['ocpp1.6', 'ocpp2.0.1'] },
  minItems: 1,
  uniqueItems: true,
  description: 'OCPP subprotocols the station may negotiate.',
} as const;
const validation = {
  type: 'string',
  enum: ['strict', 'lenient'],
  description: 'strict: refuse every schema violation. lenient: accept and record violations that leave a message meaningful (over-long strings, unknown values in informational fields).',
} as const;
const registration = {
  type: 'string',
  enum: ['Accepted', 'Pending', 'Rejected'],
  description: 'The answer to the station\'s BootNotification.',
} as const;

// An object default of {} gets its members from their own defaults (ajv useDefaults), which
// the schema's static type cannot see.
const FILLED_BY_DEFAULTS = {} as never;

const amount = (description: string, dflt: string) => ({ type: 'string', pattern: '^[0-9]{1,40}$', default: dflt, description }) as const;

const file = (description: string) => ({ type: 'string', default: '', description }) as const;
const issuer = (what: string) => ({
  type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['certFile', 'keyFile', 'chainFile', 'includeRoot', 'rootFile'],
  properties: {
    certFile: file(`PEM certificate of the sub-CA that signs ${what}.`),
    keyFile: file('Its PEM private key (PKCS#8, SEC1 or PKCS#1).'),
    chainFile: file('PEM certificates above the sub-CA, without the root (appended to CertificateSigned); optional.'),
    includeRoot: { type: 'boolean', default: false, description: 'Send the root too at the end of CertificateSigned chains (some chargers refuse a chain without it); needs rootFile.' },
    rootFile: file('PEM certificate of the root above this sub-CA, for includeRoot.'),
  },
}) as const;

const port = (description: string, dflt: number) => ({ type: 'integer', minimum: 0, maximum: 65535, default: dflt, description }) as const;

/** A further admin API token: whom it names in the audit log, and what it may do. */
export interface AdminTokenConfig {
  name: string;
  token: string;
  role: 'read-only' | 'operator';
}

/** Keys whose values are secrets: `charging-gateway config` prints them as "***", and errors never show them. */
export const SECRET_KEYS = ['admin.token', 'admin.tokens[].token', 'pnc.ca.externalToken', 'pnc.contractBackend.token', 'stations.list[].password'] as const;

export const configSchema: JSONSchemaType<Config> = {
  type: 'object',
  additionalProperties: false,
  required: ['dataDir', 'log', 'storage', 'memory', 'ocpp', 'stations', 'sessions', 'p2p', 'admin', 'chain', 'pnc', 'tariff'],
  properties: {
    dataDir: { type: 'string', minLength: 1, default: './data', description: 'Folder of the LevelDB database (created if missing).' },
    log: {
      type: 'object', additionalProperties: false, required: ['level'], default: FILLED_BY_DEFAULTS,
      properties: { level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'], default: 'info', description: 'Lowest level written (JSON lines on stdout).' } },
    },
    storage: {
      type: 'object', additionalProperties: false, required: ['fsync', 'writeBufferMb', 'reportMaxItemBytes', 'reportBytesPerStation'], default: FILLED_BY_DEFAULTS,
      properties: {
        fsync: { type: 'boolean', default: false, description: 'fsync every commit. Off: a process crash loses nothing acknowledged; on: a power loss does not either, at a throughput cost.' },
        writeBufferMb: { type: 'integer', minimum: 1, maximum: 256, default: 32, description: "MiB of recent writes LevelDB keeps in memory before writing them out as a table. A station's state is written again with each of its messages: the larger the buffer, the more of those rewrites meet in memory instead of being written out and compacted (under a load of 2.0.1 transactions, LevelDB's own 4 MiB cost the node about 1.4x the CPU per message of 32 MiB; BENCHMARKS.md). Costs memory: up to this much held while the node is quiet (LevelDB writes a buffer out only once it is full, or when the node stops), up to twice this under a steady load of writes. After a crash, or a stop while storage was failing, the node reads back up to this much log when it starts, and needs about as much free disk to write it out." },
        reportMaxItemBytes: { type: 'integer', minimum: 256, default: 65536, description: 'Largest station report kept whole (DataTransfer, NotifyReport, NotifyEvent, security events, status notifications); a larger one is kept as its size and SHA-256.' },
        reportBytesPerStation: { type: 'integer', minimum: 1024, default: 8388608, description: 'Bytes of reports kept per station; above it the oldest are dropped.' },
      },
    },
    memory: {
      type: 'object', additionalProperties: false, required: ['idleCompactionSec'], default: FILLED_BY_DEFAULTS,
      properties: {
        idleCompactionSec: { type: 'integer', minimum: 0, maximum: 3600, default: 30, description: 'How often the node checks whether to compact its heap: when the event loop was busy under a tenth of the last two intervals and the heap holds 64 MiB or more beyond what it uses, grown by as much since the last compaction (as a burst of connections or messages leaves it), it compacts the heap and gives that memory back to the system in one pause (0.1 s at 2,000 stations, 0.3 s at 10,000); then it waits ten checks, twice as many each time it needs one again without having been busy in between. 0: never. Needs the V8 flag --expose-gc, which the node is started with (gateway/node-flags.js).' },
      },
    },
    files: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS,
      required: ['publicUrl', 'maxFirmwareBytes', 'maxLogBytes', 'logBytesPerStation', 'firmwareTimeoutMin'],
      description: 'Firmware downloads and log uploads, served under /files on the OCPP ports (the address, port and TLS a station already reaches).',
      properties: {
        publicUrl: { type: 'string', default: '', pattern: '^(https?://[^/?#]+)?$', description: 'Where stations reach the OCPP port over HTTP(S), e.g. http://charging.example.com:9000 (behind a proxy or NAT). Empty: the address and port each station itself dialed.' },
        maxFirmwareBytes: { type: 'integer', minimum: 1024, default: 268435456, description: 'Largest firmware image an operator may upload.' },
        maxLogBytes: { type: 'integer', minimum: 1024, default: 52428800, description: 'Largest log or diagnostics file a station may upload (a multipart upload is held in memory up to this).' },
        logBytesPerStation: { type: 'integer', minimum: 1024, default: 209715200, description: 'Bytes of uploaded logs kept per station; above it the oldest files go.' },
        firmwareTimeoutMin: { type: 'number', exclusiveMinimum: 0, default: 120, description: 'A firmware update in a rollout that reports no status for this long is counted as failed, and the next station starts.' },
      },
    },
    ocpp: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS,
      required: ['host', 'port', 'path', 'tls', 'heartbeatIntervalSec', 'bootRetryIntervalSec', 'callTimeoutSec', 'pingIntervalSec', 'maxFrameBytes', 'maxMessagesPerSecond', 'messageBurst', 'framesPerTurn', 'maxBadMessagesPerMinute', 'handshakeTimeoutSec', 'bootTimeoutSec', 'maxConnections', 'maxPendingConnections', 'maxPendingPerAddress', 'acceptUnknownIdTags'],
      properties: {
        host: { type: 'string', default: '0.0.0.0', description: 'Address the OCPP endpoint listens on.' },
        port: port('Plain WebSocket port (security profiles 0 and 1); 0 picks a free port.', 9000),
        path: { type: 'string', pattern: '^/', default: '/ocpp', description: 'Path prefix; stations connect to <path>/<identity>.' },
        tls: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['enabled', 'port', 'keyFile', 'certFile', 'caFile'],
          properties: {
            enabled: { type: 'boolean', default: false, description: 'Serve wss:// for security profiles 2 and 3.' },
            port: port('TLS WebSocket port.', 9443),
            keyFile: { type: 'string', default: '', description: 'PEM private key of the server certificate.' },
            certFile: { type: 'string', default: '', description: 'PEM server certificate (chain).' },
            caFile: { type: 'string', default: '', description: 'PEM CA certificates that sign station client certificates (profile 3).' },
          },
        },
        heartbeatIntervalSec: { type: 'integer', minimum: 1, default: 300, description: 'Heartbeat interval given to accepted stations.' },
        bootRetryIntervalSec: { type: 'integer', minimum: 1, default: 60, description: 'Interval after which a Pending/Rejected station boots again.' },
        callTimeoutSec: { type: 'number', exclusiveMinimum: 0, default: 30, description: 'How long a CALL to a station waits for its answer.' },
        pingIntervalSec: { type: 'number', minimum: 0, default: 30, description: 'WebSocket ping interval; a station that misses a pong for one interval is dropped. 0 disables.' },
        maxFrameBytes: { type: 'integer', minimum: 1024, default: 4194304, description: 'Largest WebSocket message accepted; larger ones close the connection (1009).' },
        maxMessagesPerSecond: { type: 'number', exclusiveMinimum: 0, default: 20, description: 'Messages per second one station may send; above it the gateway reads its socket more slowly (nothing is dropped).' },
        messageBurst: { type: 'integer', minimum: 1, default: 200, description: 'Messages a station may send in a burst above maxMessagesPerSecond (a reconnect replaying its queue).' },
        framesPerTurn: { type: 'integer', minimum: 1, default: 128, description: 'Station messages the node takes up per event-loop turn, all stations together: when more arrive at once (thousands of stations sending together) the rest wait unread, in order, for the next turn, so each is answered within a few turns and the node spends less on garbage collection.' },
        maxBadMessagesPerMinute: { type: 'integer', minimum: 0, default: 30, description: 'Malformed or schema-invalid messages per minute before a station is disconnected (1008); 0: no limit.' },
        handshakeTimeoutSec: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'Time a client has to complete the TLS handshake and its WebSocket upgrade request.' },
        bootTimeoutSec: { type: 'number', exclusiveMinimum: 0, default: 60, description: 'A connection whose station is not accepted and sends no BootNotification within this is closed (1008).' },
        maxConnections: { type: 'integer', minimum: 1, default: 60000, description: 'OCPP sockets at once, upgraded or not; never more than the open-file limit leaves after what storage and the rest of the node keep for themselves (the lower of the two applies).' },
        maxPendingConnections: { type: 'integer', minimum: 1, default: 1000, description: 'Sockets that have not finished their WebSocket upgrade yet; above it, new ones are closed at once.' },
        maxPendingPerAddress: { type: 'integer', minimum: 1, default: 100, description: 'Of those, from one remote address (raise it where many stations share one address, behind NAT, and reconnect together).' },
        acceptUnknownIdTags: { type: 'boolean', default: false, description: 'Authorize idTags that are not on the station\'s local list.' },
      },
    },
    stations: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['registration', 'maxUnlisted', 'defaults', 'list', 'configuration'],
      properties: {
        registration: { type: 'string', enum: ['open', 'closed'], default: 'open', description: 'open: any identity may connect without credentials (security profile 0, development only). closed: only the stations listed.' },
        maxUnlisted: { type: 'integer', minimum: 0, default: 1000, description: 'Open registration: how many identities that are not listed the node keeps; a new one beyond it is refused (403) until stations are deleted.' },
        defaults: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['versions', 'validation', 'registration'],
          properties: {
            versions: { ...versions, default: ['ocpp1.6', 'ocpp2.0.1'] },
            validation: { ...validation, default: 'lenient' },
            registration: { ...registration, default: 'Accepted' },
          },
        },
        configuration: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['readOnConnect', 'maxAgeHours', 'keep', 'reportTimeoutSec'],
          properties: {
            readOnConnect: { type: 'boolean', default: true, description: 'Read a station\'s configuration (1.6 GetConfiguration, 2.0.1 GetBaseReport) once it is accepted, when the newest snapshot is older than maxAgeHours (or there is none).' },
            maxAgeHours: { type: 'number', minimum: 0, default: 24, description: 'How old the newest configuration snapshot may be before a connecting station is read again.' },
            keep: { type: 'integer', minimum: 2, maximum: 100, default: 10, description: 'Configuration snapshots kept per station (the oldest go), for comparing them.' },
            reportTimeoutSec: { type: 'integer', minimum: 1, default: 60, description: 'How long a 2.0.1 station may take to send its whole device model (NotifyReport parts) after GetBaseReport.' },
          },
        },
        list: {
          type: 'array', default: [], description: 'Known stations.',
          items: {
            type: 'object', additionalProperties: false, required: ['identity', 'securityProfile'],
            properties: {
              identity: { type: 'string', minLength: 1, maxLength: 48, pattern: '^[^:]+$', description: 'The station identity (last URL path segment).' },
              securityProfile: { type: 'integer', enum: [0, 1, 2, 3], description: '0 none, 1 basic auth, 2 TLS + basic auth, 3 mutual TLS.' },
              password: { type: 'string', nullable: true, minLength: 1, description: 'Basic-auth password (profiles 1, 2): plain text, 32-40 hex digits (also accepted as its bytes), or an scrypt hash from `charging-gateway hash-password`.' },
              versions: { ...versions, nullable: true },
              validation: { ...validation, nullable: true },
              registration: { ...registration, nullable: true },
            },
          },
        },
      },
    },
    sessions: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS,
      required: ['startTimeoutSec', 'stopTimeoutSec', 'authorizationTtlSec', 'localListMaxLength', 'maxPendingAuthorizations', 'maxReservationMinutes', 'reservationsWithoutDeposit'],
      properties: {
        startTimeoutSec: { type: 'number', exclusiveMinimum: 0, default: 120, description: 'How long a remote start waits for the station to start the transaction (the driver plugs in meanwhile).' },
        stopTimeoutSec: { type: 'number', exclusiveMinimum: 0, default: 60, description: 'How long a remote stop waits for the station to end the transaction.' },
        authorizationTtlSec: { type: 'integer', minimum: 60, default: 3600, description: 'Expiry of a consumer\'s local authorization list entry; an unused authorization ends then.' },
        localListMaxLength: { type: 'integer', minimum: 1, default: 20, description: 'Entries per SendLocalList when the station does not report its own maximum.' },
        maxPendingAuthorizations: { type: 'integer', minimum: 1, default: 10, description: 'Consumer authorizations per station that have not started charging yet; more are refused (TooManyAuthorizations) until one starts, fails or expires.' },
        maxReservationMinutes: { type: 'integer', minimum: 1, default: 60, description: 'The longest a consumer may reserve a connector for (a ReserveRequest over libp2p); its budget stays reserved from the deposit meanwhile.' },
        reservationsWithoutDeposit: { type: 'boolean', default: false, description: 'Take consumers\' reservations where no chain is configured. Nothing stands behind them then, so a few keys could hold every connector (up to maxPendingAuthorizations per station, each for maxReservationMinutes); off, they are refused (NotOffered).' },
      },
    },
    p2p: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS,
      required: ['enabled', 'listen', 'announce', 'keyFile', 'requestMaxSkewSec', 'requestStreamIdleSec', 'requestsPerSecond', 'requestBurst', 'maxEventsPerSecond', 'peaqCompat', 'bootstrap', 'dht'],
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Run the libp2p peer that wallets talk to.' },
        listen: {
          type: 'array', items: { type: 'string', pattern: '^/' }, minItems: 1,
          default: ['/ip4/0.0.0.0/tcp/10333', '/ip4/0.0.0.0/tcp/10334/ws'],
          description: 'libp2p listen multiaddrs (TCP and WebSocket).',
        },
        announce: {
          type: 'array', items: { type: 'string', pattern: '^/' }, default: [],
          description: 'Multiaddrs to tell peers (and the DID document) instead of the listen ones: the public address behind NAT or a container, e.g. /ip4/203.0.113.7/tcp/10333.',
        },
        keyFile: { type: 'string', default: '', description: 'The gateway\'s ed25519 key (peer id and event signing); created on first start. Default: <dataDir>/gateway.key.' },
        requestMaxSkewSec: { type: 'integer', minimum: 5, default: 60, description: 'How far a consumer request\'s timestamp may be from the gateway clock.' },
        requestStreamIdleSec: { type: 'integer', minimum: 1, maximum: 86400, default: 300, description: 'A wallet\'s requests stream on which no frame arrives for this long (nothing, or half a frame) is ended; the wallet opens another.' },
        requestsPerSecond: { type: 'number', exclusiveMinimum: 0, default: 5, description: 'Consumer requests per second per peer (token bucket rate).' },
        requestBurst: { type: 'integer', minimum: 1, default: 20, description: 'Consumer requests a peer may send in a burst.' },
        maxEventsPerSecond: { type: 'integer', minimum: 1, default: 1000, description: 'Pace of event publishing (gossipsub has no backpressure).' },
        peaqCompat: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['enabled', 'station'],
          properties: {
            enabled: { type: 'boolean', default: false, description: 'Serve existing peaq wallets: raw unsigned events on topic "charmev". They cannot sign, so anyone on the topic could stop a session.' },
            station: { type: 'string', default: '', description: 'The station peaq wallets charge on; empty: the only connected station.' },
          },
        },
        bootstrap: {
          type: 'array', items: { type: 'string', pattern: '^/' }, default: [],
          description: 'Multiaddrs (with /p2p/<peer id>) of other gateways to join the DHT through.',
        },
        dht: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['privateAddresses', 'announceIntervalSec'],
          properties: {
            privateAddresses: { type: 'boolean', default: false, description: 'Share private (LAN) addresses through the DHT; on for a LAN-only network of gateways.' },
            announceIntervalSec: { type: 'integer', minimum: 10, default: 300, description: 'How often the gateway re-announces on the DHT the stations it serves.' },
          },
        },
      },
    },
    admin: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['enabled', 'host', 'port', 'token', 'tokens'],
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Serve /metrics (Prometheus), /healthz and /readyz.' },
        host: { type: 'string', default: '127.0.0.1', description: 'Address of the admin HTTP server (0.0.0.0 to reach it from other hosts).' },
        port: port('Admin HTTP port.', 8080),
        token: { type: 'string', default: '', description: 'Bearer token of the /api routes (role operator, named admin in the audit log); empty: one is generated into <dataDir>/admin.token (mode 0600) on first start.' },
        tokens: {
          type: 'array', default: [], description: 'Further tokens, each with its own name in the audit log: read-only ones may only read (GET); operator ones may also send commands and change things.',
          items: {
            type: 'object', additionalProperties: false, required: ['name', 'token', 'role'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 50, pattern: '^[^\\s]+$' },
              token: { type: 'string', minLength: 16, description: 'At least 16 characters.' },
              role: { type: 'string', enum: ['read-only', 'operator'] },
            },
          },
        },
      },
    },
    chain: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['endpoint', 'minimumDeposit', 'waitForFinality'],
      properties: {
        endpoint: { type: 'string', pattern: '^(wss?://.*)?$', default: '', description: 'WebSocket endpoint of the peaq-style chain; empty: no chain (no deposit checks).' },
        minimumDeposit: amount('A session\'s least budget, and its budget when the wallet names none: reserved from the consumer\'s 2-of-2 multisig with the gateway when the session is authorized (smallest unit; default 1 PEAQ).', '1000000000000000000'),
        waitForFinality: { type: 'boolean', default: false, description: 'Settlement waits for finality, not only inclusion in a block, before SERVICE_DELIVERED.' },
      },
    },
    pnc: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS,
      required: ['enabled', 'organization', 'allowInsecureProfiles', 'ca', 'certificateSigned', 'ocsp', 'contractBackend', 'moRootFiles'],
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Serve ISO 15118 Plug & Charge: SignCertificate, GetCertificateStatus, Get15118EVCertificate, eMAID authorization (2.0.1, and 1.6 over DataTransfer).' },
        organization: { type: 'string', default: '', description: 'The CPO name that the O of a CSR subject must be; empty: not checked.' },
        allowInsecureProfiles: { type: 'boolean', default: false, description: 'Sign and install certificates for stations on security profile 0 or 1 (development only).' },
        ca: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS,
          required: ['externalUrl', 'externalToken', 'chargingStation', 'v2g', 'chargingStationValidityDays', 'v2gValidityDays'],
          properties: {
            externalUrl: { type: 'string', pattern: '^(https?://.*)?$', default: '', description: 'An external CA over HTTP (POST {csr, certificateType, station} → {certificateChain}); set, it replaces the local sub-CAs.' },
            externalToken: { type: 'string', default: '', description: 'Bearer token for the external CA.' },
            chargingStation: issuer('station (TLS client) certificates: the CSO sub-CA'),
            v2g: issuer('SECC (V2G) certificates: the CPO sub-CA under the V2G root'),
            chargingStationValidityDays: { type: 'integer', minimum: 1, default: 365, description: 'Validity of signed station certificates (capped at the validity of the sub-CA).' },
            v2gValidityDays: { type: 'integer', minimum: 1, default: 60, description: 'Validity of signed SECC certificates (ISO 15118-2 keeps them short).' },
          },
        },
        certificateSigned: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['attempts', 'retrySec'],
          properties: {
            attempts: { type: 'integer', minimum: 1, default: 5, description: 'Tries to deliver a signed chain to a station that is offline or does not answer.' },
            retrySec: { type: 'number', exclusiveMinimum: 0, default: 60, description: 'Wait between those tries.' },
          },
        },
        ocsp: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['enabled', 'timeoutSec'],
          properties: {
            enabled: { type: 'boolean', default: true, description: 'Ask the OCSP responders that stations name (GetCertificateStatus, eMAID authorization).' },
            timeoutSec: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'How long an OCSP responder may take.' },
          },
        },
        contractBackend: {
          type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS, required: ['url', 'token', 'timeoutSec'],
          properties: {
            url: { type: 'string', pattern: '^(https?://.*)?$', default: '', description: 'Contract certificate backend (POST {station, iso15118SchemaVersion, action, exiRequest} → {exiResponse}); empty: Get15118EVCertificate answers Failed.' },
            token: { type: 'string', default: '', description: 'Bearer token for the backend.' },
            timeoutSec: { type: 'number', exclusiveMinimum: 0, default: 20, description: 'How long the backend may take (the EV waits meanwhile).' },
          },
        },
        moRootFiles: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'PEM mobility-operator roots the gateway trusts when a station sends a contract certificate chain.' },
      },
    },
    tariff: {
      type: 'object', additionalProperties: false, default: FILLED_BY_DEFAULTS,
      required: ['pricePerKwh', 'pricePerMinute', 'sessionFee', 'currency', 'decimals'],
      properties: {
        pricePerKwh: amount('Price per kWh in the chain\'s smallest unit (default 0.5 PEAQ).', '500000000000000000'),
        pricePerMinute: amount('Price per minute of a session in the smallest unit.', '0'),
        sessionFee: amount('Fixed fee per session in the smallest unit.', '0'),
        currency: { type: 'string', minLength: 1, default: 'PEAQ', description: 'Token symbol shown on receipts.' },
        decimals: { type: 'integer', minimum: 0, maximum: 30, default: 18, description: 'Decimals of the token (smallest unit = 10^-decimals).' },
      },
    },
  },
};

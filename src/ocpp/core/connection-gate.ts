import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Sockets at once, upgraded or not: never more than the descriptors the node can spare. */
  maxConnections: number;
  /** Sockets that have not finished their WebSocket upgrade yet. */
  maxPending: number;
  /** Of those, from one remote address. */
  maxPendingPerAddress: number;
}

export type GateRefusal = 'connections' | 'pending' | 'pendingPerAddress';

/**
 * Admission before a byte is read: a socket over a limit is destroyed at once, which costs
 * the node nothing. Idle sockets that never finish an upgrade can then fill only their own
 * small share, never the process's descriptors (which LevelDB needs to keep working).
 */
export class ConnectionGate {
  private readonly limits: ConnectionLimits;
  private total = 0;
  private pending = 0;
  private readonly pendingByAddress = new Map<string, number>();
  // Pending sockets and the address they were counted under (a closed socket forgets its own).
  private readonly waiting = new WeakMap<Socket, string>();
  private readonly onRefused: (reason: GateRefusal, address: string) => void;
  // One listener for every socket (called with the socket as `this`): a closure per socket
  // held about 180 bytes of each station's memory.
  private readonly onSocketClose: (this: Socket) => void;

  constructor(limits: ConnectionLimits, onRefused: (reason: GateRefusal, address: string) => void = () => {}) {
    this.limits = limits;
    this.onRefused = onRefused;
    const closed = (socket: Socket): void => {
      this.total--;
      this.settle(socket);
    };
    this.onSocketClose = function (this: Socket) {
      closed(this);
    };
  }

  /** A new TCP connection: counted, or destroyed when over a limit. */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '';
    const fromAddress = this.pendingByAddress.get(address) ?? 0;
    const refusal: GateRefusal | undefined = this.total >= this.limits.maxConnections ? 'connections'
      : this.pending >= this.limits.maxPending ? 'pending'
        : fromAddress >= this.limits.maxPendingPerAddress ? 'pendingPerAddress' : undefined;
    if (refusal) {
      this.onRefused(refusal, address);
      socket.destroy();
      return false;
    }
    this.total++;
    this.pending++;
    this.pendingByAddress.set(address, fromAddress + 1);
    this.waiting.set(socket, address);
    socket.on('close', this.onSocketClose);
    return true;
  }

  /** The socket finished its upgrade: it no longer counts as pending. */
  upgraded(socket: Socket): void {
    this.settle(socket);
  }

  get counts(): { total: number; pending: number } {
    return { total: this.total, pending: this.pending };
  }

  private settle(socket: Socket): void {
    const address = this.waiting.get(socket);
    if (address === undefined) return;
    this.waiting.delete(socket);
    this.pending--;
    const n = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (n > 0) this.pendingByAddress.set(address, n);
    else this.pendingByAddress.delete(address);
  }
}

// A command run in a real terminal (a pseudo-terminal made by util-linux `script`): Ctrl-C is
// the byte 0x03 typed into it, which the terminal turns into SIGINT for the foreground
// process group, exactly as for a user at a keyboard.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { eventually } from './wait.ts';

export interface Terminal {
  output: () => string;
  /** Types Ctrl-C once the command runs and owns the terminal (as a user can only then). */
  ctrlC(): Promise<void>;
  exited: Promise<number>;
  child: ChildProcess;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function inTerminal(command: string[], env: NodeJS.ProcessEnv = process.env): Terminal {
  // `exec`: the command replaces the shell that `script` starts ($SHELL, else dash), so it is
  // alone in the terminal's foreground group as when a user types it (seen: dash took the
  // SIGINT itself and died, and `script` reported 130 for a command that ended cleanly).
  const child = spawn('script', ['-qfec', `exec ${command.map(quote).join(' ')}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = once(child, 'exit').then(([code]) => code as number);
  const program = realpathSync(command[0]!);
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const ctrlC = async (): Promise<void> => {
    await eventually(() => gone() || inForeground(child.pid!, program), 10_000, 'the command never got its terminal');
    if (!gone()) child.stdin!.write('\x03');
  };
  // A write racing the exit must not crash the test file (EPIPE).
  child.stdin!.on('error', () => {});
  return { output: () => out, ctrlC, exited, child };
}

/**
 * Whether `script`'s child runs `program` and leads its terminal's foreground process group.
 * Before that, a typed Ctrl-C is echoed but signals nobody (seen: the command was not yet the
 * terminal's session leader, the ^C was lost, and it charged on for ever).
 */
function inForeground(scriptPid: number, program: string): boolean {
  const pid = childOf(scriptPid);
  if (!pid) return false;
  try {
    if (readlinkSync(`/proc/${pid}/exe`) !== program) return false;
    const stat = statOf(pid);
    return stat.ttyNr !== '0' && stat.pgrp === stat.tpgid;
  } catch {
    return false; // between fork and exec, or already gone
  }
}

/** After "(comm) " in /proc/<pid>/stat: state ppid pgrp session tty_nr tpgid … */
function statOf(pid: string): { ppid: string; pgrp: string; ttyNr: string; tpgid: string } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [, ppid = '', pgrp = '', , ttyNr = '', tpgid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid, pgrp, ttyNr, tpgid };
}

/** The child of `parent` (from /proc/<pid>/task/<pid>/children where the kernel has it, else by scanning). */
function childOf(parent: number): string | undefined {
  try {
    return readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/)[0] || undefined;
  } catch {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        if (statOf(pid).ppid === String(parent)) return pid;
      } catch {
        // gone meanwhile
      }
    }
    return undefined;
  }
}

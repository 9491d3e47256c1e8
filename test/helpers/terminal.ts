// A command run in a real terminal (a pseudo-terminal made by util-linux `script`): Ctrl-C is
// the byte 0x03 typed into it, which the terminal turns into SIGINT for the foreground
// process group, exactly as for a user at a keyboard.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Terminal {
  output: () => string;
  ctrlC(): void;
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
  return { output: () => out, ctrlC: () => child.stdin!.write('\x03'), exited, child };
}

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
  const child = spawn('script', ['-qfec', command.map(quote).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = once(child, 'exit').then(([code]) => code as number);
  return { output: () => out, ctrlC: () => child.stdin!.write('\x03'), exited, child };
}

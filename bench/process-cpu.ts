import { readFileSync } from 'node:fs';

// Clock ticks per second of /proc's times (USER_HZ, 100 on Linux).
const CLOCK_TICKS = 100;

/** A process's CPU time so far (all threads, user and system) in µs, from /proc: 10 ms steps. */
export function cpuMicrosOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command's name.
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / CLOCK_TICKS);
}

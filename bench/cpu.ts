/**
 * CPU time of the processes a benchmark runs, read from /proc (Linux; elsewhere it reports
 * nothing), so a phase can say where its time went: Temporal, PostgreSQL, each worker, the bench.
 */
import fs from 'node:fs';

const TICKS_PER_SECOND = 100;

/** user + system CPU seconds of one process (with `reaped`, its exited children's too), or 0 if it is gone or /proc is missing. */
function cpuSecondsOf(pid: number, reaped = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime is 14th overall, then stime, cutime, cstime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0)) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function allPids(): number[] {
  try {
    return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

/** A group of processes measured together: fixed pids, or whatever `find` returns at each reading. */
export interface ProcessGroup {
  name: string;
  pids: () => number[];
  /** Count the CPU of children that exited too (e.g. PostgreSQL backends of closed connections, reaped by the postmaster). */
  reaped?: boolean;
}

/** The processes whose command line contains `needle`, and (with `children`) their children, live and (with `reaped`) exited. */
export function byCommandLine(name: string, needle: string, children = false, reaped = false): ProcessGroup {
  return {
    name,
    reaped,
    pids: () => {
      const pids = allPids();
      const roots = pids.filter((p) => cmdline(p).includes(needle));
      return children ? [...roots, ...pids.filter((p) => roots.includes(parentOf(p)))] : roots;
    },
  };
}

/** CPU seconds per group now. */
export function readCpu(groups: ProcessGroup[]): Map<string, number> {
  return new Map(groups.map((g) => [g.name, g.pids().reduce((sum, pid) => sum + cpuSecondsOf(pid, g.reaped), 0)]));
}

/** CPU seconds each group spent between two readings. */
export function cpuSpent(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([name, s]) => [name, Math.max(0, s - (before.get(name) ?? 0))]));
}

/** CPU seconds (user + system) of this process's children that have exited and been waited for. */
export function reapedChildrenCpu(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // cutime and cstime: the 16th and 17th fields overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

import { readFileSync } from 'node:fs';

/** Resident-memory fields of /proc/<pid>/status: current (VmRSS) and peak (VmHWM, the high-water mark). */
export type ProcMemoryField = 'VmRSS' | 'VmHWM';

/**
 * Reads another process' memory from /proc (Linux), in bytes. The kernel's figure is the only one
 * available for a process we did not write (llama.cpp's worker) and for one that may never report
 * back (a child being killed); undefined once the process is gone.
 */
export function procMemoryBytes(pid: number, field: ProcMemoryField): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

import * as os from 'node:os';
import { env as ortEnv } from 'onnxruntime-node';

/** What a benchmark figure depends on besides the code: recorded next to every result. */
export interface MachineInfo {
  readonly os: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryBytes: number;
  readonly nodeVersion: string;
  readonly onnxruntimeNodeVersion: string;
  /** Other work on the machine skews timings; the 1/5/15-minute load averages at the start say how much. */
  readonly loadAverage: readonly number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.arch()}) ${os.version()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    nodeVersion: process.version,
    onnxruntimeNodeVersion: ortEnv.versions.node ?? ortEnv.versions.common,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

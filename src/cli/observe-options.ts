/** `--health-addr` and `--metrics-addr` (issue #7), validated before anything starts. */
import type { Command } from 'commander';
import type { ListenAddress } from '../ops/listen-address.js';
import { listenAddressValue } from './flag-values.js';

export interface ObserveConfig {
  healthAddr: ListenAddress | undefined;
  metricsAddr: ListenAddress | undefined;
}

export interface RawObserveFlags {
  healthAddr?: string;
  metricsAddr?: string;
}

export function addObserveOptions(cmd: Command): Command {
  return cmd
    .option('--health-addr <host:port>', 'serve /healthz (live) and /readyz (synced and watching) on HOST:PORT, e.g. :8080')
    .option('--metrics-addr <host:port>', 'serve Prometheus metrics on HOST:PORT/metrics (may be the --health-addr)');
}

export function buildObserveConfig(f: RawObserveFlags): ObserveConfig {
  return {
    healthAddr: f.healthAddr === undefined ? undefined : listenAddressValue(f.healthAddr, '--health-addr'),
    metricsAddr: f.metricsAddr === undefined ? undefined : listenAddressValue(f.metricsAddr, '--metrics-addr'),
  };
}

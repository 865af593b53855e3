/**
 * The --state and --resync metrics, read at each scrape from the catch-up
 * stage's counters (the counters advance by the difference, as the
 * reflectors' do):
 *   cmwatch_state_writes_total          API writes of the store ConfigMaps
 *   cmwatch_state_conflicts_total       writes refused with 409 (re-read, merged)
 *   cmwatch_state_write_failures_total  flushes that failed (retried later)
 *   cmwatch_state_keys                  keys in the store
 *   cmwatch_catch_up_events_total{type} events made by comparing with the store
 *   cmwatch_state_repeats_total         catch-up runs of a version the previous
 *                                       instance had started but not recorded
 *                                       (after a crash: a possible repeat)
 *   cmwatch_resync_events_total         SYNCs delivered by --resync
 */
export interface StateReadings {
  writes(): number;
  conflicts(): number;
  failures(): number;
  keys(): number;
  catchUp(): Readonly<Record<string, number>>;
  repeats(): number;
  resyncs(): number;
}

type Prom = typeof import('prom-client');
type Registers = import('prom-client').Registry[];

export function stateMetrics(prom: Prom, registers: Registers, read: () => StateReadings | undefined): void {
  const counter = (name: string, help: string, total: (r: StateReadings) => number) => {
    let seen = 0;
    new prom.Counter({
      name, help, registers,
      collect() {
        const r = read();
        if (!r) return;
        const now = total(r);
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
  };
  counter('cmwatch_state_writes_total', 'API writes (create, update) of the --state store ConfigMaps.', (r) => r.writes());
  counter('cmwatch_state_conflicts_total', 'Store writes refused with 409 Conflict: re-read and merged, never overwritten.', (r) => r.conflicts());
  counter('cmwatch_state_write_failures_total', 'Store flushes that failed (retried at the next interval).', (r) => r.failures());
  counter('cmwatch_state_repeats_total', 'Catch-up runs of a version the previous instance had started but not recorded (a possible repeat after a crash).', (r) => r.repeats());
  counter('cmwatch_resync_events_total', 'SYNC events delivered again by --resync.', (r) => r.resyncs());
  new prom.Gauge({ name: 'cmwatch_state_keys', help: 'Keys in the --state store.', registers, collect() { this.set(read()?.keys() ?? 0); } });
  const seen = new Map<string, number>();
  new prom.Counter({
    name: 'cmwatch_catch_up_events_total', help: 'Events made by comparing a list with the --state store, by type (MODIFIED via=catch-up, ADDED, DELETED).', labelNames: ['type'], registers,
    collect() {
      const r = read();
      if (!r) return;
      for (const [type, n] of Object.entries(r.catchUp())) {
        const by = n - (seen.get(type) ?? 0);
        if (by > 0) this.inc({ type }, by);
        seen.set(type, n);
      }
    },
  });
}

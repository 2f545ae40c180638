import { X509Certificate } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the metrics read at scrape time, so counters owned elsewhere are never copied by hand. */
export interface MetricsSources {
  counters(): { reloads: number; restarts: number; runtimeCommands: Record<string, number> };
  objectCounts(): Record<string, number>;
  /** Whether this replica writes Ingress status: it holds the lease, or runs without election. */
  leader(): boolean;
  /** The certificates HAProxy serves now: where each came from and its PEM (chain first). */
  certificates(): readonly { namespace: string; name: string; pem: string }[];
  /** Whether the view of the cluster may be out of date (a watch failed and has not listed again); none without an API server. */
  stale?(): boolean;
}

/**
 * The controller's Prometheus metrics, on a registry of its own (no global state, so tests and
 * several controllers in one process never share counters).
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly syncDuration: Histogram<'result'>;
  readonly diagnostics: Gauge<'code' | 'severity'>;
  readonly applies: Counter<'action'>;
  readonly applyErrors: Counter<'code'>;
  readonly ready: Gauge;

  constructor(sources: MetricsSources, build: { version: string }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'portcullis_' });
    new Gauge({
      name: 'portcullis_build_info',
      help: 'Build information; always 1.',
      labelNames: ['version', 'node'],
      registers,
    }).set({ version: build.version, node: process.version }, 1);
    this.syncDuration = new Histogram({
      name: 'portcullis_sync_duration_seconds',
      help: 'Time from a detected change to HAProxy applying it (translate, plan, apply).',
      labelNames: ['result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.diagnostics = new Gauge({
      name: 'portcullis_diagnostics',
      help: 'Problems found in the current objects, by code and severity (rejected objects and annotation errors).',
      labelNames: ['code', 'severity'],
      registers,
    });
    this.applies = new Counter({
      name: 'portcullis_applies_total',
      help: 'Changes applied to HAProxy, by how (runtime API, reload, none).',
      labelNames: ['action'],
      registers,
    });
    this.applyErrors = new Counter({
      name: 'portcullis_apply_errors_total',
      help: 'Failed attempts to apply a configuration, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.ready = new Gauge({ name: 'portcullis_ready', help: '1 once the first sync is applied and HAProxy serves.', registers });
    new Counter({
      name: 'portcullis_reloads_total',
      help: 'HAProxy reloads since start.',
      registers,
      collect() {
        this.reset();
        this.inc(sources.counters().reloads);
      },
    });
    new Counter({
      name: 'portcullis_haproxy_restarts_total',
      help: 'Restarts of HAProxy after it exited unexpectedly.',
      registers,
      collect() {
        this.reset();
        this.inc(sources.counters().restarts);
      },
    });
    new Counter({
      name: 'portcullis_runtime_updates_total',
      help: 'Runtime API commands sent to HAProxy instead of a reload, by kind (server, map, certificate).',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, n] of Object.entries(sources.counters().runtimeCommands)) this.inc({ kind }, n);
      },
    });
    new Gauge({
      name: 'portcullis_kube_view_stale',
      help: '1 while a watch of the Kubernetes API has failed and not listed again: HAProxy serves the last view, which may be out of date.',
      registers,
      collect() {
        this.set(sources.stale?.() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'portcullis_leader',
      help: '1 when this replica writes Ingress status (it holds the lease, or runs without leader election).',
      registers,
      collect() {
        this.set(sources.leader() ? 1 : 0);
      },
    });
    // Arrow functions: `this` is the gauge inside collect(), the metrics object here.
    const expiry = (pem: string) => this.expiry(pem);
    const forget = (current: Set<string>) => {
      for (const pem of this.expiries.keys()) if (!current.has(pem)) this.expiries.delete(pem);
    };
    new Gauge({
      name: 'portcullis_certificate_expiry_timestamp_seconds',
      help: 'When each served certificate expires (notAfter of its first certificate), as Unix time, by the Secret it came from.',
      labelNames: ['namespace', 'name'],
      registers,
      collect() {
        this.reset();
        const certificates = sources.certificates();
        for (const c of certificates) {
          const seconds = expiry(c.pem);
          if (seconds !== undefined) this.set({ namespace: c.namespace, name: c.name }, seconds);
        }
        forget(new Set(certificates.map((c) => c.pem)));
      },
    });
    new Gauge({
      name: 'portcullis_objects',
      help: 'Objects in the controller store, by kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, n] of Object.entries(sources.objectCounts())) this.set({ kind }, n);
      },
    });
  }

  /** Expiry (Unix seconds) of each PEM's first certificate, kept for the PEMs served now only. */
  private expiries = new Map<string, number | undefined>();

  private expiry(pem: string): number | undefined {
    if (this.expiries.has(pem)) return this.expiries.get(pem);
    const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    let seconds: number | undefined;
    try {
      seconds = first ? Math.floor(Date.parse(new X509Certificate(first).validTo) / 1000) : undefined;
    } catch {
      seconds = undefined; // translate has checked it; a PEM that still does not parse has no expiry to show
    }
    this.expiries.set(pem, seconds);
    return seconds;
  }

  /** Replaces the diagnostics gauge with the current set, so fixed problems drop to zero. */
  setDiagnostics(diagnostics: readonly { code: string; severity: string }[]): void {
    this.diagnostics.reset();
    for (const d of diagnostics) this.diagnostics.inc({ code: d.code, severity: d.severity });
  }
}

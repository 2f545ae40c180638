import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from '../../src/app/find-binary.js';
import { ControllerMetrics } from '../../src/metrics/controller-metrics.js';
import { freePort } from '../support/net.js';
import { repoRoot } from './render.js';

/** Metric names in text, and name prefixes written as `family_*`. Not preceded by a name character. */
const METRIC = /(?<![A-Za-z0-9_])((?:portcullis|haproxy)_[a-z0-9_]*[a-z0-9])(_\*)?/g;

interface Dashboard {
  panels: Array<{ id: number; type: string; title: string; gridPos: { h: number; w: number; x: number; y: number }; targets?: Array<{ expr: string; refId: string }> }>;
  templating: { list: Array<{ name: string; query?: unknown }> };
}

function mentioned(text: string): { names: Set<string>; prefixes: Set<string> } {
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const [, name, star] of text.matchAll(METRIC)) (star ? prefixes : names).add(star ? `${name}_` : name);
  return { names, prefixes };
}

/** The controller's metric names as exported, histogram series included. */
async function controllerMetricNames(): Promise<Map<string, string>> {
  const metrics = new ControllerMetrics({ counters: () => ({ reloads: 0, restarts: 0, runtimeCommands: {} }), objectCounts: () => ({}), leader: () => true, certificates: () => [] }, { version: 'test' });
  const names = new Map<string, string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.set(m.name, String(m.type));
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.set(m.name + suffix, 'histogram series');
  }
  return names;
}

/** The names HAProxy's built-in exporter serves, read from a real HAProxy on loopback. */
async function haproxyMetricNames(t: TestContext): Promise<Set<string> | undefined> {
  const bin = findBinary(process.env.HAPROXY_BIN ?? 'haproxy');
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-promex-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const [stats, http, dead] = [await freePort(), await freePort(), await freePort()];
  await writeFile(join(dir, 'haproxy.cfg'), [
    'defaults', '  mode http', '  timeout client 5s', '  timeout server 5s', '  timeout connect 1s',
    'frontend stats', `  bind 127.0.0.1:${stats}`, '  http-request use-service prometheus-exporter if { path /metrics }',
    'frontend http', `  bind 127.0.0.1:${http}`, '  default_backend app',
    'backend app', `  server s1 127.0.0.1:${dead}`, '',
  ].join('\n'));
  const child = spawn(bin, ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: 'ignore' });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (!spawned) {
    if (process.env.HAPROXY_REQUIRED) assert.fail(`${bin} could not be started`);
    return undefined;
  }
  t.after(() => {
    child.kill('SIGKILL');
  });
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const body = await (await fetch(`http://127.0.0.1:${stats}/metrics`, { signal: AbortSignal.timeout(1000) })).text();
      return new Set([...body.matchAll(/^# TYPE (haproxy_\w+) /gm)].map((m) => m[1]));
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function dashboard(): Dashboard {
  return JSON.parse(readFileSync(join(repoRoot(), 'deploy', 'grafana', 'portcullis-dashboard.json'), 'utf8')) as Dashboard;
}

function dashboardQueries(d: Dashboard): string {
  const panelExprs = d.panels.flatMap((p) => (p.targets ?? []).map((target) => target.expr));
  return [...panelExprs, ...d.templating.list.map((v) => JSON.stringify(v.query ?? ''))].join('\n');
}

test('every controller metric is documented in docs/metrics.md, and every portcullis_ name there exists', async () => {
  const exported = await controllerMetricNames();
  const doc = mentioned(readFileSync(join(repoRoot(), 'docs', 'metrics.md'), 'utf8'));
  const own = [...exported.keys()].filter((n) => !n.startsWith('portcullis_process_') && !n.startsWith('portcullis_nodejs_') && exported.get(n) !== 'histogram series');
  assert.deepEqual(own.filter((n) => !doc.names.has(n)), [], 'controller metrics missing from docs/metrics.md');
  const unknown = [...doc.names].filter((n) => n.startsWith('portcullis_') && !exported.has(n));
  assert.deepEqual(unknown, [], 'names in docs/metrics.md the controller does not export');
});

test('the Grafana dashboard is well-formed and its controller queries use exported metrics', async () => {
  const d = dashboard();
  const ids = d.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const p of d.panels) {
    assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24-column grid`);
    if (p.type !== 'row') assert.ok(p.targets?.length, `${p.title} has queries`);
  }
  const cells = new Set<string>();
  for (const p of d.panels) {
    for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
      for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
        assert.ok(!cells.has(`${x},${y}`), `${p.title} overlaps another panel`);
        cells.add(`${x},${y}`);
      }
    }
  }
  const exported = await controllerMetricNames();
  const used = mentioned(dashboardQueries(d)).names;
  assert.deepEqual([...used].filter((n) => n.startsWith('portcullis_') && !exported.has(n)), []);
  for (const family of ['portcullis_ready', 'portcullis_sync_duration_seconds_bucket', 'haproxy_backend_http_responses_total']) {
    assert.ok(used.has(family), `the dashboard shows ${family}`);
  }
});

test('every haproxy_ metric in docs/metrics.md and the dashboard is one HAProxy\'s exporter serves', async (t) => {
  const served = await haproxyMetricNames(t);
  if (!served) {
    t.skip('haproxy is not installed (set HAPROXY_REQUIRED=1 to make this a failure)');
    return;
  }
  assert.ok(served.has('haproxy_backend_http_requests_total'), 'the exporter answered');
  const doc = mentioned(readFileSync(join(repoRoot(), 'docs', 'metrics.md'), 'utf8'));
  const dash = mentioned(dashboardQueries(dashboard()));
  const names = [...doc.names, ...dash.names].filter((n) => n.startsWith('haproxy_'));
  assert.deepEqual([...new Set(names)].filter((n) => !served.has(n)), [], 'haproxy_ names the exporter does not serve');
  const prefixes = [...doc.prefixes].filter((p) => p.startsWith('haproxy_'));
  for (const prefix of prefixes) assert.ok([...served].some((n) => n.startsWith(prefix)), `${prefix}* matches served metrics`);
});

/**
 * Injection fuzz: thousands of hostile annotations, ConfigMap values, hosts, paths and Secret
 * contents go through translate and the renderer. Every configuration must pass `haproxy -c` and
 * hold exactly the directives its model asks for, with every literal arriving intact.
 * Reproduce a failure with PCL_FUZZ_SEED=<seed printed in the message>.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { render } from '../../src/haproxy/render/config.js';
import { planLayout } from '../../src/haproxy/render/layout.js';
import { syncFiles, writeFileAtomic } from '../../src/haproxy/process/files.js';
import { validateConfig } from '../../src/haproxy/process/validate.js';
import type { Model } from '../../src/model/types.js';
import { normalise } from '../../src/sources/normalise.js';
import type { KubeObject } from '../../src/store/types.js';
import { translate } from '../../src/translate/index.js';
import { baseTranslateOptions, snapshotOf } from '../support/fixtures.js';
import { backendProblems } from './expected.js';
import { splitWords } from './haproxy-words.js';
import { Generator, hostileNamespace, prng } from './hostile.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
const BASE_SEED = Number(process.env.PCL_FUZZ_SEED ?? 20261123);
const BATCHES = Number(process.env.PCL_FUZZ_BATCHES ?? 30);
const PER_BATCH = 100;

function batchObjects(seed: number): KubeObject[] {
  const gen = new Generator(prng(seed));
  const raw = [
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portcullis' }, spec: { controller: 'portcullis.dev/ingress-controller' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: 'portcullis' }, data: gen.configMapData() },
  ];
  const base = raw.map((o) => normalise(o)).filter((o): o is KubeObject => o !== undefined);
  return [...base, ...hostileNamespace(gen, `ns${seed}`, PER_BATCH)];
}

interface Section {
  kind: string;
  name: string;
  lines: string[][];
}

/** Splits the configuration into sections of word lists; reports lines HAProxy would read differently. */
function sections(config: string, problems: string[]): Section[] {
  const result: Section[] = [];
  config.split('\n').forEach((line, index) => {
    if (line === '' || (index === 0 && line.startsWith('# Generated'))) return;
    const { words, comment, suspicious } = splitWords(line);
    if (comment) problems.push(`line ${index + 1} has a comment: ${line}`);
    for (const s of suspicious) problems.push(`line ${index + 1}: ${s}: ${line}`);
    if (!line.startsWith(' ')) result.push({ kind: words[0], name: words[1] ?? '', lines: [] });
    else result.at(-1)?.lines.push(words);
  });
  return result;
}

function globalProblems(model: Model, all: Section[]): string[] {
  const problems: string[] = [];
  const count = (kind: string) => all.filter((s) => s.kind === kind).length;
  const peers = model.backends.some((b) => b.policy?.rateLimit);
  const auth = model.backends.filter((b) => b.policy?.auth);
  const expect = (what: string, actual: number, wanted: number) => actual !== wanted && problems.push(`${what}: ${actual} instead of ${wanted}`);
  expect('global sections', count('global'), 1);
  expect('defaults sections', count('defaults'), 1);
  expect('frontend sections', count('frontend'), model.global.statsPort ? 2 : 1);
  expect('backend sections', count('backend'), model.backends.length);
  expect('userlist sections', count('userlist'), auth.length);
  expect('peers sections', count('peers'), peers ? 1 : 0);
  expect('sections', all.length, 3 + (model.global.statsPort ? 1 : 0) + model.backends.length + auth.length + (peers ? 1 : 0));
  const global = all.find((s) => s.kind === 'global')!;
  expect('log lines', global.lines.filter((w) => w[0] === 'log').length, model.global.syslogServers?.length ?? 1);
  expect('localpeer lines', global.lines.filter((w) => w[0] === 'localpeer').length, peers ? 1 : 0);
  const frontend = all.find((s) => s.kind === 'frontend')!;
  const logFormat = frontend.lines.filter((w) => w[0] === 'log-format');
  expect('log-format lines', logFormat.length, model.global.logFormat ? 1 : 0);
  if (model.global.logFormat && JSON.stringify(logFormat[0]) !== JSON.stringify(['log-format', model.global.logFormat.format])) {
    problems.push(`log-format reads ${JSON.stringify(logFormat[0])}`);
  }
  for (const backend of auth) {
    const list = all.find((s) => s.kind === 'userlist' && s.name === `pcl_auth_${backend.name}`);
    const wanted = backend.policy!.auth!.users.map((u) => ['user', u.name, 'password', u.hash]);
    if (JSON.stringify(list?.lines) !== JSON.stringify(wanted)) problems.push(`userlist of ${backend.name} reads ${JSON.stringify(list?.lines)}`);
  }
  return problems;
}

test('hostile annotations, ConfigMap values, hosts, paths and Secrets never inject configuration', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pcl-fuzz-'));
  const totals = { objects: 0, backends: 0, withPolicy: 0, literals: 0 };
  try {
    for (let batch = 0; batch < BATCHES; batch++) {
      const seed = BASE_SEED + batch;
      const objects = batchObjects(seed);
      const { model } = translate(snapshotOf(objects), {
        ...baseTranslateOptions(),
        configMap: 'default/portcullis',
        allowCrossNamespaceSecrets: batch % 2 === 1,
      });
      const layout = planLayout(undefined, model);
      const rendered = render(model, layout, join(dir, `b${batch}`));
      await syncFiles(join(dir, `b${batch}`), rendered.files);
      await writeFileAtomic(join(dir, `b${batch}`, 'haproxy.cfg'), rendered.config, 0o644);
      const validation = await validateConfig(HAPROXY, join(dir, `b${batch}`, 'haproxy.cfg'));
      assert.ok(validation.ok, `seed ${seed}: haproxy -c failed:\n${validation.output.slice(0, 2000)}`);
      const problems: string[] = [];
      const all = sections(rendered.config, problems);
      problems.push(...globalProblems(model, all));
      for (const backend of model.backends) {
        const section = all.find((s) => s.kind === 'backend' && s.name === backend.name);
        const found = section ? backendProblems(backend, section.lines, layout.backends[backend.name]!.length) : { problems: ['missing'], literals: 0 };
        problems.push(...found.problems.map((p) => `backend ${backend.name}: ${p}`));
        totals.literals += found.literals;
      }
      assert.deepEqual(problems.slice(0, 20), [], `seed ${seed}`);
      totals.objects += objects.length;
      totals.backends += model.backends.length;
      totals.withPolicy += model.backends.filter((b) => b.policy || b.server || b.retries || b.timeouts).length;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  t.diagnostic(`seeds ${BASE_SEED}..${BASE_SEED + BATCHES - 1}: ${JSON.stringify(totals)}`);
  // The generator must keep reaching the renderer, or the test proves nothing.
  assert.ok(totals.objects >= BATCHES * PER_BATCH * 3, `objects: ${totals.objects}`);
  assert.ok(totals.withPolicy >= BATCHES * 10, `backends with settings: ${totals.withPolicy} of ${totals.backends}`);
  assert.ok(totals.literals >= BATCHES * 10, `literals checked: ${totals.literals}`);
});

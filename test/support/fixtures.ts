/**
 * Test fixtures as Kubernetes YAML: each file holds one or more documents, turned into the store's
 * normalised shapes by the same `normalise` the manifest source uses.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { normalise } from '../../src/sources/normalise.js';
import { emptySnapshot, objectKey, SNAPSHOT_FIELDS, type KubeObject, type Snapshot } from '../../src/store/types.js';
import { dumpModel, formatDiagnostic, translate } from '../../src/translate/index.js';
import type { TranslateOptions } from '../../src/translate/types.js';

/**
 * Absolute path of a file under `test/fixtures`. Found from this module's location, so it works
 * from the sources and from any build folder, whatever the working directory.
 */
export function fixturePath(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test support folder');
    dir = parent;
  }
  return join(dir, 'test', 'fixtures', relative);
}

/** The objects of a multi-document YAML file, in file order. Throws on anything it cannot load. */
export function loadObjects(path: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0].message}`);
    const raw: unknown = doc.toJS();
    if (raw === null || raw === undefined) continue;
    const obj = normalise(raw);
    // A typo in a fixture must fail loudly, not silently test less than it claims.
    if (!obj) throw new Error(`${path}: a document is not a supported Kubernetes object: ${JSON.stringify(raw).slice(0, 120)}`);
    objects.push(obj);
  }
  return objects;
}

/** A snapshot of the objects in a YAML file. */
export function loadFixture(path: string): Snapshot {
  return snapshotOf(loadObjects(path));
}

/** A snapshot holding `objects`, each map filled in the given order. Throws on duplicate keys. */
export function snapshotOf(objects: readonly KubeObject[]): Snapshot {
  const snapshot = emptySnapshot();
  for (const obj of objects) {
    const map = snapshot[SNAPSHOT_FIELDS[obj.kind]] as Map<string, KubeObject>;
    const key = objectKey(obj.metadata);
    if (map.has(key)) throw new Error(`duplicate ${obj.kind} ${key} in fixture`);
    map.set(key, obj);
  }
  return snapshot;
}

/**
 * The same objects in several insertion orders (as written, reversed, and odd/even interleaved
 * both ways), to show that a result does not depend on the order objects arrived in.
 */
export function reorderings<T>(objects: readonly T[]): { name: string; objects: T[] }[] {
  const even = objects.filter((_, i) => i % 2 === 0);
  const odd = objects.filter((_, i) => i % 2 === 1);
  return [
    { name: 'as written', objects: [...objects] },
    { name: 'reversed', objects: [...objects].reverse() },
    { name: 'odd first', objects: [...odd, ...even] },
    { name: 'odd first, reversed', objects: [...odd.reverse(), ...even.reverse()] },
  ];
}

/** A test description as a file name: lower case, runs of other characters turned into '-'. */
export function fixtureName(desc: string): string {
  return desc
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Options every translate case starts from; a case overrides what it tests. */
export function baseTranslateOptions(): TranslateOptions {
  return {
    ingressClass: 'portcullis',
    controllerName: 'portcullis.dev/ingress-controller',
    watchIngressWithoutClass: false,
    fallbackCertificate: { pem: readFileSync(fixturePath('translate/fallback.pem'), 'utf8') },
    bindAddress: '127.0.0.1',
    httpPort: 8080,
    httpsPort: 8443,
  };
}

/** The first two dump lines for {@link baseTranslateOptions}. */
export const GLOBAL_LINES = [
  'global bind=127.0.0.1 http=8080 https=8443 maxconn=0 nbthread=0 hard-stop-after=1800000 server-header=portcullis',
  'timeouts client=50000 connect=5000 server=50000 http-request=5000 http-keep-alive=60000 tunnel=3600000 queue=5000',
];

/** Last dump line when the fallback certificate (`translate/fallback.pem`) is served by default. */
export const FALLBACK_CERTIFICATE_LINE = 'default-certificate default sha256=45975bc32303824f (Secret (generated))';

/**
 * One row of a translate table. `desc` also names the fixture: `test/fixtures/translate/<desc>.yaml`
 * with `desc` in kebab case (see {@link fixtureName}).
 */
export interface TranslateCase {
  desc: string;
  options?: Partial<TranslateOptions>;
  /** The exact `dumpModel` text, one entry per line. */
  expected: string[];
  /** The exact diagnostics, formatted by `formatDiagnostic`, in result order. */
  diagnostics: string[];
  /** `namespace/name` of the Ingresses the result claims as ours. */
  ingresses: string[];
}

/**
 * Registers one test per case. Each case is translated with its objects in several insertion
 * orders; every order must give exactly the expected model and diagnostics, and leave the input
 * snapshot untouched.
 */
export function runTranslateCases(cases: readonly TranslateCase[]): void {
  for (const c of cases) {
    test(c.desc, () => {
      const objects = loadObjects(fixturePath(`translate/${fixtureName(c.desc)}.yaml`));
      const options = { ...baseTranslateOptions(), ...c.options };
      for (const order of reorderings(objects)) {
        const snapshot = snapshotOf(order.objects);
        const before = JSON.stringify(order.objects);
        const result = translate(snapshot, options);
        assert.equal(dumpModel(result.model), c.expected.join('\n'), `model, objects ${order.name}`);
        assert.deepEqual(result.diagnostics.map(formatDiagnostic), c.diagnostics, `diagnostics, objects ${order.name}`);
        assert.deepEqual(result.ingresses.map(objectKey), c.ingresses, `ingresses, objects ${order.name}`);
        assert.deepEqual(JSON.parse(JSON.stringify(result.model)), result.model, 'the model is plain JSON data');
        assert.equal(JSON.stringify(order.objects), before, 'translate leaves its input untouched');
      }
    });
  }
}

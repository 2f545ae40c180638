import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './errors.js';
import type { KubeObject } from './json-value.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

function labelled(labels: Record<string, string>): KubeObject {
  return { metadata: { name: 'web', namespace: 'shop', labels } };
}

function selects(selector: string, labels: Record<string, string>): boolean {
  return matchesLabels(parseLabelSelector(selector), labelled(labels));
}

describe('label selectors', () => {
  it('an empty selector matches every object, even one without labels', () => {
    assert.equal(selects('', {}), true);
    assert.equal(matchesLabels(parseLabelSelector(undefined), { metadata: { name: 'x' } }), true);
  });

  it('equality with = and == requires the label with that exact value', () => {
    assert.equal(selects('app=web', { app: 'web' }), true);
    assert.equal(selects('app==web', { app: 'web' }), true);
    assert.equal(selects('app=web', { app: 'api' }), false);
    assert.equal(selects('app=web', {}), false);
  });

  it('!= matches objects that lack the label altogether', () => {
    assert.equal(selects('app!=web', {}), true);
    assert.equal(selects('app!=web', { app: 'api' }), true);
    assert.equal(selects('app!=web', { app: 'web' }), false);
  });

  it('set-based in and notin, with commas inside the parentheses', () => {
    assert.equal(selects('tier in (front, back)', { tier: 'back' }), true);
    assert.equal(selects('tier in (front,back)', { tier: 'db' }), false);
    assert.equal(selects('tier in (front,back)', {}), false);
    assert.equal(selects('tier notin (front,back)', {}), true);
    assert.equal(selects('tier notin (front,back)', { tier: 'front' }), false);
  });

  it('existence and non-existence', () => {
    assert.equal(selects('canary', { canary: '' }), true);
    assert.equal(selects('canary', {}), false);
    assert.equal(selects('!canary', {}), true);
    assert.equal(selects('!canary', { canary: 'yes' }), false);
  });

  it('all comma-separated requirements must hold', () => {
    assert.equal(selects('app=web,tier in (front),!canary', { app: 'web', tier: 'front' }), true);
    assert.equal(selects('app=web,tier in (front),!canary', { app: 'web', tier: 'front', canary: 'x' }), false);
  });

  it('numeric gt and lt compare integers', () => {
    assert.equal(selects('weight>10', { weight: '11' }), true);
    assert.equal(selects('weight>10', { weight: '9' }), false);
    assert.equal(selects('weight<10', { weight: 'heavy' }), false);
  });

  it('prefixed keys are accepted', () => {
    assert.equal(selects('app.kubernetes.io/name=web', { 'app.kubernetes.io/name': 'web' }), true);
  });

  it('malformed selectors are 400 BadRequest', () => {
    for (const bad of ['app=we b', '=web', 'tier in front', 'weight>ten', 'a/b/c=x']) {
      assert.throws(() => parseLabelSelector(bad), (err: unknown) => err instanceof ApiError && err.code === 400, bad);
    }
  });
});

describe('field selectors', () => {
  const pod: KubeObject = { metadata: { name: 'web-1', namespace: 'shop' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };

  it('metadata.name and metadata.namespace with =, == and !=', () => {
    assert.equal(matchesFields(parseFieldSelector('metadata.name=web-1'), pod), true);
    assert.equal(matchesFields(parseFieldSelector('metadata.name==web-2'), pod), false);
    assert.equal(matchesFields(parseFieldSelector('metadata.namespace!=shop'), pod), false);
    assert.equal(matchesFields(parseFieldSelector('metadata.namespace!=other,metadata.name=web-1'), pod), true);
  });

  it('type-specific fields only when the type indexes them', () => {
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName=n1', ['spec.nodeName']), pod), true);
    assert.equal(matchesFields(parseFieldSelector('status.phase!=Running', ['status.phase']), pod), false);
    assert.throws(() => parseFieldSelector('spec.nodeName=n1'), (err: unknown) => err instanceof ApiError && /field label not supported: spec.nodeName/.test(err.message));
  });

  it('escaped commas and equals signs are part of the value', () => {
    const odd: KubeObject = { metadata: { name: 'a' }, reason: 'x,y=z' };
    assert.equal(matchesFields(parseFieldSelector('reason=x\\,y\\=z', ['reason']), odd), true);
  });

  it('a requirement without an operator is 400 BadRequest', () => {
    assert.throws(() => parseFieldSelector('metadata.name'), (err: unknown) => err instanceof ApiError && err.code === 400);
  });
});

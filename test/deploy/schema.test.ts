import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelNameFor, validateObject } from './schema.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: null },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            readinessProbe: { httpGet: { path: '/', port: 'http' } },
            resources: { requests: { cpu: '100m' } },
          },
        ],
      },
    },
  },
});

test('a well-formed Deployment passes, null optional fields included', () => {
  assert.deepEqual(validateObject(deployment()), []);
});

test('an unknown field is reported with its path, however deep', () => {
  const obj = deployment();
  (obj.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolicyy = 'Always';
  (obj.spec as Record<string, unknown>).replica = 1;
  assert.deepEqual(validateObject(obj).sort(), [
    'Deployment.spec.replica: unknown field (not in V1DeploymentSpec)',
    'Deployment.spec.template.spec.containers[0].imagePullPolicyy: unknown field (not in V1Container)',
  ]);
});

test('wrong primitive types are reported: string for integer, number in a string map, object for array', () => {
  const obj = deployment();
  (obj.spec as Record<string, unknown>).replicas = '2';
  obj.spec.template.metadata.labels = { app: 1 as unknown as string };
  (obj.spec.template.spec as Record<string, unknown>).containers = { name: 'web' };
  assert.deepEqual(validateObject(obj), [
    'Deployment.spec.replicas: expected a number, got string "2"',
    'Deployment.spec.template.metadata.labels.app: expected a string, got number 1',
    'Deployment.spec.template.spec.containers: expected an array, got object {"name":"web"}',
  ]);
});

test('int-or-string ports accept names and integers but not fractions or booleans', () => {
  const service = (targetPort: unknown) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort }] } });
  assert.deepEqual(validateObject(service('http')), []);
  assert.deepEqual(validateObject(service(8080)), []);
  assert.equal(validateObject(service(80.5)).length, 1);
  assert.equal(validateObject(service(true)).length, 1);
});

test('kinds shared by two groups resolve to the right model, and unknown kinds are refused', () => {
  assert.equal(modelNameFor('v1', 'Event'), 'CoreV1Event');
  assert.equal(modelNameFor('events.k8s.io/v1', 'Event'), 'EventsV1Event');
  assert.equal(modelNameFor('rbac.authorization.k8s.io/v1', 'ClusterRole'), 'V1ClusterRole');
  assert.equal(modelNameFor('networking.k8s.io/v1', 'IngressClass'), 'V1IngressClass');
  assert.deepEqual(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget' }), ['$: no API model for example.com/v1 Widget']);
  // A model part that is not a top-level kind (no apiVersion/kind fields) is not mistaken for one.
  assert.equal(modelNameFor('apps/v1', 'DeploymentSpec'), undefined);
});

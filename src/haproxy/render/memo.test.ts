/**
 * `render` with a RenderMemo reuses the maps and backend sections of earlier calls, and the planner
 * its maps; both must give exactly what they give without one, through every kind of change a
 * sequence of models can bring (each step below plans and renders with the same memo).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Model, Server } from '../../model/types.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { backend, certificate, deepFreeze, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import { RenderMemo, render } from './config.js';
import { planLayout } from './layout.js';
import { planUpdate } from '../runtime/plan.js';
import type { Layout } from '../types.js';

const STATE = '/var/run/portcullis';
const pem = makeCertificatePem('default.test');

/** Frozen, like every model below: a render or plan that changed one in place would throw. */
function start(): Model {
  return deepFreeze(model({
    global: globalSettings({ httpPort: 8080, httpsPort: 8443 }),
    backends: [backend('ns_web_80', [server('127.0.0.3', 8080)]), backend('ns_api_80', [server('127.0.0.4', 8080)])],
    routes: [route('a.test', '/', 'prefix', 'ns_web_80'), route('a.test', '/api', 'prefix', 'ns_api_80')],
    defaultCertificate: certificate('default', pem, []),
  }));
}

/** `m` with the backend `name` replaced by a new object holding `servers`; the others kept as they are. */
function withServers(m: Model, name: string, servers: Server[]): Model {
  return { ...m, backends: m.backends.map((b) => (b.name === name ? backend(name, servers) : b)) };
}

/** Each step derives the next model from the previous one, as the controller's passes do. */
const steps: { name: string; next: (m: Model) => Model }[] = [
  { name: 'an endpoint changes (same routes, one new backend object)', next: (m) => withServers(m, 'ns_web_80', [server('127.0.0.5', 8080)]) },
  { name: 'a backend grows past its slots', next: (m) => withServers(m, 'ns_web_80', [1, 2, 3, 4, 5].map((i) => server(`127.0.1.${i}`, 8080))) },
  { name: 'routes change (new array)', next: (m) => ({ ...m, routes: [...m.routes, route('b.test', '/', 'exact', 'ns_api_80')] }) },
  { name: 'a route gets an HTTPS redirect', next: (m) => ({ ...m, routes: m.routes.map((r, i) => (i === 0 ? { ...r, httpsRedirect: { code: 308, port: 8443 } } : r)) }) },
  { name: 'the default backend is set', next: (m) => ({ ...m, defaultBackend: 'ns_api_80' }) },
  { name: 'a backend named by no route is added, same routes array', next: (m) => ({ ...m, backends: [...m.backends, backend('ns_spare_80', [server('127.0.0.6', 8080)])] }) },
  { name: 'global settings change', next: (m) => ({ ...m, global: globalSettings({ httpPort: 9090, httpsPort: 9443, accessLog: false }) }) },
  { name: 'back to the first model', next: () => start() },
];

describe('render with a RenderMemo', () => {
  test('gives exactly what render without one gives, step after step', () => {
    // A backend removed from under the routes (same array) that name it is refused, memo or not.
    const first = start();
    const refusing = new RenderMemo();
    render(first, planLayout(undefined, first), STATE, refusing);
    const orphaned = { ...first, backends: first.backends.filter((b) => b.name !== 'ns_api_80') };
    assert.throws(() => render(orphaned, planLayout(undefined, orphaned), STATE, refusing), /unknown backend/);
    const memo = new RenderMemo();
    let current = start();
    let layout: Layout = planLayout(undefined, current);
    let previous: Model | undefined;
    const check = (name: string) => {
      const plain = render(current, layout, STATE);
      const memoised = render(current, layout, STATE, memo);
      assert.equal(memoised.config, plain.config, name);
      assert.deepEqual(memoised.files, plain.files, name);
      assert.deepEqual(memoised.lineSources, plain.lineSources, name);
    };
    check('the first model');
    for (const step of steps) {
      previous = current;
      const previousLayout = layout;
      current = deepFreeze(step.next(current));
      layout = planLayout(layout, current, previous);
      // The planner shares the memo's maps, in the driver's order: plan first, then render.
      const [from, to] = [{ model: previous, layout: previousLayout }, { model: current, layout }];
      assert.deepEqual(planUpdate(from, to, memo.maps), planUpdate(from, to), step.name);
      check(step.name);
    }
  });

  test('a backend handed over as the same object but with other slots is formatted again', () => {
    const memo = new RenderMemo();
    const m = start();
    const layout = planLayout(undefined, m);
    render(m, layout, STATE, memo);
    const wider: Layout = { backends: { ...layout.backends, ns_web_80: [...layout.backends.ns_web_80, null, null, null, null] } };
    assert.equal(render(m, wider, STATE, memo).config, render(m, wider, STATE).config);
  });
});

import type { Backend, Certificate, Listener, Model, Route, RouteConditions, SourceRef } from '../model/types.js';
import { dumpBackendSettings, dumpGlobalSettings } from './dump-settings.js';
import { certificateFingerprint } from './pem.js';

/**
 * A compact, stable text form of a model, one line per item, for tests and debugging. Certificates
 * show a fingerprint of the certificate, never the key.
 *
 * ```
 * global bind=127.0.0.1 http=80 https=443 maxconn=0 nbthread=0 hard-stop-after=1800000 server-header=portcullis
 * timeouts client=50000 connect=5000 server=50000 http-request=5000 http-keep-alive=60000 tunnel=3600000 queue=5000
 * route foo.bar.com /app prefix -> default_app_80 redirect=302:443 (Ingress default/app)
 * default-backend default_fallback_8080
 * backend default_app_80 (Service default/app): 10.0.0.1:8080 ready, 10.0.0.2:8080 drain
 * backend default_app_80_3f2a9c01d4e5 (Ingress default/app): 10.0.0.1:8080 ready, 10.0.0.2:8080 drain
 *   allow 10.0.0.0/8
 * certificate default_tls foo.bar.com,*.foo.com sha256=5ebb12a4edcd7df7 (Secret default/tls)
 * default-certificate default sha256=4597... (Secret (generated))
 * ```
 */
export function dumpModel(model: Model): string {
  const { global: g } = model;
  const t = g.timeouts;
  const lines = [
    `global bind=${g.bindAddress} http=${g.httpPort} https=${g.httpsPort} maxconn=${g.maxconn} nbthread=${g.nbthread} ` +
      `hard-stop-after=${g.hardStopAfter} server-header=${g.serverHeader}`,
    `timeouts client=${t.client} connect=${t.connect} server=${t.server} http-request=${t.httpRequest} ` +
      `http-keep-alive=${t.httpKeepAlive} tunnel=${t.tunnel} queue=${t.queue}`,
    ...dumpGlobalSettings(g),
    ...model.routes.map(dumpRoute),
    ...(model.defaultBackend !== undefined ? [`default-backend ${model.defaultBackend}`] : []),
    ...model.backends.flatMap((backend) => [dumpBackend(backend), ...dumpBackendSettings(backend)]),
    ...model.certificates.map((cert) => dumpCertificate('certificate', cert)),
    ...(model.listeners ?? []).map(dumpListener),
    dumpCertificate('default-certificate', model.defaultCertificate),
  ];
  return lines.join('\n');
}

function dumpRoute(route: Route): string {
  const redirect = route.httpsRedirect ? ` redirect=${route.httpsRedirect.code}:${route.httpsRedirect.port}` : '';
  const host = route.host === '' ? '(any)' : route.host;
  const on = route.listeners ? ` on=${route.listeners.join(',')}` : '';
  const when = route.conditions ? dumpConditions(route.conditions) : '';
  return `route ${host} ${route.path} ${route.match}${when} -> ${route.backend}${redirect}${on} ${source(route.source)}`;
}

function dumpConditions(c: RouteConditions): string {
  const value = (kind: string) => (v: { name: string; match: string; value: string }) => `${kind}:${v.name}${v.match === 'regex' ? '~' : '='}${JSON.stringify(v.value)}`;
  const parts = [...(c.method ? [`method=${c.method}`] : []), ...(c.headers ?? []).map(value('header')), ...(c.query ?? []).map(value('query')), ...(c.cookies ?? []).map(value('cookie'))];
  return ` if ${parts.join(' ')}`;
}

function dumpListener(l: Listener): string {
  const certs = l.certificates?.length ? ` certs=${l.certificates.join(',')}` : '';
  const fallback = l.defaultCertificate ? ` default=${l.defaultCertificate}` : '';
  const wildcard = l.wildcardLabels !== undefined && l.wildcardLabels > 1 ? ` wildcard-labels=${l.wildcardLabels}` : '';
  return `listener ${l.name} ${l.address}:${l.port} ${l.protocol}${certs}${fallback}${wildcard} ${source(l.source)}`;
}

function dumpBackend(backend: Backend): string {
  const servers = backend.servers.map((s) => `${s.address}:${s.port} ${s.state}${s.weight !== undefined ? ` w=${s.weight}` : ''}`).join(', ') || 'no servers';
  return `backend ${backend.name} ${source(backend.source)}: ${servers}`;
}

function dumpCertificate(label: string, cert: Certificate): string {
  const hosts = cert.hosts.length > 0 ? ` ${cert.hosts.join(',')}` : '';
  return `${label} ${cert.id}${hosts} sha256=${certificateFingerprint(cert.pem)} ${source(cert.source)}`;
}

function source(ref: SourceRef): string {
  return `(${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name})`;
}

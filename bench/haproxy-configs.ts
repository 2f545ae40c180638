/**
 * The HAProxy configurations Portcullis is compared with, written once for every data-plane
 * benchmark: an origin answering 200 from memory, and the minimal hand-written proxy a person
 * would write for one host, without and with access logs (which Portcullis has by default).
 */

const DEFAULTS = ['defaults', '  mode http', '  timeout connect 5s', '  timeout client 50s', '  timeout server 50s', '  option http-keep-alive'];

/** No maxconn anywhere: HAProxy derives it from the file-descriptor limit, as the Portcullis config does. */
function config(global: string[], lines: string[]): string {
  return ['global', ...global.map((l) => `  ${l}`), ...DEFAULTS, ...lines, ''].join('\n');
}

export function originConfig(address: string, port: number, global: string[] = []): string {
  return config(global, ['frontend origin', `  bind ${address}:${port}`, '  http-request return status 200 content-type text/plain string "ok"']);
}

/**
 * `headers`: also what an Ingress controller must do to every request besides routing it
 * (X-Forwarded-For, X-Forwarded-Proto, a Server header when the backend sends none), written the
 * way a person would, so that the difference left with Portcullis is the routing itself.
 */
export function handWrittenConfig(options: { port: number; originAddress: string; originPort: number; accessLogs: boolean; headers?: boolean; global?: string[] }): string {
  const logs = options.accessLogs ? ['  log stdout format raw local0', '  option httplog'] : [];
  const headers = options.headers
    ? ['  option forwardfor', '  http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]', '  http-after-response add-header Server hand-written unless { res.hdr(server) -m found }']
    : [];
  return config(options.global ?? [], [
    'frontend main', `  bind 127.0.0.1:${options.port}`, ...logs, ...headers, '  default_backend app',
    'backend app', '  balance roundrobin', `  server origin ${options.originAddress}:${options.originPort}`,
  ]);
}

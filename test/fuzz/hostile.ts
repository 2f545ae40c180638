/**
 * Hostile Kubernetes objects for the injection fuzz test: annotations, hosts, paths and Secret
 * contents built from valid values with configuration syntax spliced in (newlines, comments,
 * quotes, spaces, backslashes, `%[` sample fetches, environment variables, file paths). Generated
 * from a seeded PRNG, so a failing seed reproduces exactly.
 */
import { normalise } from '../../src/sources/normalise.js';
import { ANNOTATION_KEYS } from '../../src/translate/annotations/registry.js';
import { NGINX_KEYS } from '../../src/translate/annotations/nginx/registry.js';
import type { KubeObject } from '../../src/store/types.js';

/** mulberry32: small, fast and good enough to spread cases; the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces of HAProxy syntax that would change a line if they reached it unescaped. */
export const HOSTILE = [
  '\n', '\r\n', '\n    server evil 10.9.9.9:80', '\nbackend evil', '#', ' # comment', '"', "'", ' ', '\t', '\\', '\\n', '\\"',
  '%[src]', '%[env(HOME)]', '%', '%%', '%{+Q}r', '$HOME', '${HOME}', '"$HOME"', '/etc/passwd', 'file:/etc/passwd',
  ' if TRUE', ' unless { src 0.0.0.0/0 }', ';', '{', '}', '(', ')', ',', '\u0000', '\u007f', '\u2028', 'é', '<<', '`id`',
  ' -f /etc/passwd', '@/etc/passwd', ' deny_status 200', '\u0085',
];

/** Values each key accepts, so mutations start from something that nearly passes validation. */
const SAMPLES: Record<string, string[]> = {
  'path-rewrite': ['/', '/new', '/old/(.*) /new/\\1', '(.*) /p\\1'],
  'set-host': ['example.com', 'a.example.com:8080'],
  'request-redirect': ['example.com', 'b.example.com:8443'],
  'request-redirect-code': ['301', '308'],
  'ssl-redirect': ['true', 'false'],
  'ssl-redirect-code': ['301', '302'],
  'ssl-redirect-port': ['443', '8443'],
  'allow-list': ['10.0.0.0/8', '127.0.0.1, ::1'],
  'deny-list': ['192.168.0.0/16', '10.1.1.1'],
  whitelist: ['10.0.0.1'],
  blacklist: ['10.0.0.2'],
  'auth-type': ['basic-auth'],
  'auth-secret': ['users', 'default/users'],
  'auth-realm': ['Protected', 'Staff only'],
  'rate-limit-requests': ['10', '1000'],
  'rate-limit-period': ['1s', '1m'],
  'rate-limit-status-code': ['429', '403'],
  'rate-limit-size': ['100k', '1000'],
  'rate-limit-whitelist': ['10.0.0.1'],
  'request-set-header': ['X-A value', 'X-B "quoted value"\nX-C c'],
  'response-set-header': ['Cache-Control no-store', 'X-Frame-Options DENY'],
  'forwarded-for': ['true', 'false'],
  'cors-enable': ['true'],
  'cors-allow-origin': ['*', 'https://a.example.com', '^https://(.+\\.)?example\\.com$'],
  'cors-allow-methods': ['*', 'GET, POST'],
  'cors-allow-headers': ['*', 'X-Custom'],
  'cors-allow-credentials': ['true'],
  'cors-max-age': ['5s', '1m'],
  'load-balance': ['leastconn', 'url_param id', 'hdr(X-User)', 'source'],
  'pod-maxconn': ['10'],
  'timeout-queue': ['5s'],
  check: ['true', 'false'],
  'check-http': ['/healthz', 'HEAD /healthz HTTP/1.1'],
  'check-interval': ['2s'],
  'cookie-persistence': ['SERVERID'],
  'send-proxy-protocol': ['proxy-v2'],
  'server-ssl': ['true'],
  'server-ca': ['ca'],
  'server-crt': ['client'],
  'server-proto': ['h2'],
  'timeout-server': ['30s'],
  'timeout-connect': ['2s'],
  retries: ['2'],
  'retry-on': ['conn-failure 503'],
  maxconn: ['1000'],
  nbthread: ['2'],
  'timeout-client': ['5s'],
  'timeout-http-request': ['5s'],
  'timeout-http-keep-alive': ['1m'],
  'timeout-tunnel': ['1h'],
  'hard-stop-after': ['1m'],
  'log-format': ['%ci:%cp [%tr] %ft %b/%s %ST %B %{+Q}r', '%[var(txn.x),lower] %[capture.req.hdr(0)] 100%%'],
  'syslog-server': ['address:127.0.0.1, port:514, facility:local0', 'address:stdout, format:raw, facility:daemon, level:info'],
  'ssl-certificate': ['default/cert'],
};

/** Keys whose value is raw configuration by design: only reachable with --allow-config-snippets, not fuzzed. */
const RAW_KEYS = new Set(['global-config-snippet', 'frontend-config-snippet', 'backend-config-snippet']);

export class Generator {
  constructor(readonly random: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  /** A valid sample, a sample with hostile pieces spliced in, or hostile pieces alone. */
  value(valid: readonly string[]): string {
    const base = this.pick(valid);
    const roll = this.random();
    if (roll < 0.25) return base;
    if (roll < 0.85) {
      let text = base;
      const edits = 1 + Math.floor(this.random() * 3);
      for (let i = 0; i < edits; i++) {
        const at = Math.floor(this.random() * (text.length + 1));
        text = text.slice(0, at) + this.pick(HOSTILE) + text.slice(at);
      }
      return text;
    }
    return Array.from({ length: 1 + Math.floor(this.random() * 4) }, () => this.pick(HOSTILE)).join('');
  }

  /** Bare ConfigMap keys with hostile values. */
  configMapData(): Record<string, string> {
    const keys = ANNOTATION_KEYS.filter((k) => !RAW_KEYS.has(k.name));
    const data: Record<string, string> = {};
    for (let i = 0; i < 12; i++) {
      const def = this.pick(keys);
      data[def.name] = this.value(SAMPLES[def.name] ?? ['x']);
    }
    return data;
  }

  annotations(): Record<string, string> {
    const keys = ANNOTATION_KEYS.filter((k) => !RAW_KEYS.has(k.name) && k.scopes.some((s) => s !== 'configmap'));
    const result: Record<string, string> = {};
    const count = 1 + Math.floor(this.random() * 8);
    for (let i = 0; i < count; i++) {
      const def = this.pick(keys);
      const prefix = this.random() < 0.7 ? 'haproxy.org/' : 'ingress.kubernetes.io/';
      result[prefix + def.name] = this.value(SAMPLES[def.name] ?? ['x']);
    }
    // ingress-nginx keys beside ours: their values feed the same model fields.
    for (let i = Math.floor(this.random() * 3); i > 0; i--) {
      const def = this.pick(NGINX_KEYS);
      result[`nginx.ingress.kubernetes.io/${def.name}`] = this.value(NGINX_SAMPLES[def.name] ?? ['x', '1', 'true']);
    }
    // Rules that only apply with another key present get it half the time, so they are exercised.
    if (this.random() < 0.5) result['haproxy.org/cors-enable'] = 'true';
    if (this.random() < 0.5) result['haproxy.org/auth-type'] = 'basic-auth';
    return result;
  }
}

/** Valid ingress-nginx values the hostile edits start from. */
const NGINX_SAMPLES: Record<string, readonly string[]> = {
  'rewrite-target': ['/$2', '/', '/x/$1'],
  'use-regex': ['true'],
  'permanent-redirect': ['https://a.example.com/x', 'http://b.example.com'],
  'temporal-redirect': ['https://a.example.com/'],
  'upstream-vhost': ['a.example.com'],
  'x-forwarded-prefix': ['/app'],
  'whitelist-source-range': ['10.0.0.0/8, 192.168.0.1'],
  'limit-rps': ['5'],
  'proxy-next-upstream': ['error timeout http_502'],
  'backend-protocol': ['HTTPS', 'GRPC'],
  'cors-allow-origin': ['https://a.example.com'],
};

const HASH = '$6$saltsalt$fxtrgNr0//Ip0B6ss2a/TCLvMdsw5Nx6dknvHShinRxCFbPDFOF1FjlGij8xWCb0jfJjN/ydBgMw3Go6NrTo21';

/**
 * Namespace `ns` with `count` hostile Ingresses, each routing a hostile host and path to its own
 * hostile-annotated Service, and a basic-auth Secret whose user names and hashes are hostile.
 */
export function hostileNamespace(gen: Generator, ns: string, count: number): KubeObject[] {
  const raw: unknown[] = [];
  const users: Record<string, string> = {};
  for (let i = 0; i < 6; i++) users[gen.value(['alice', 'bob'])] = gen.value([HASH]);
  users.alice = HASH;
  raw.push({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name: 'users' }, stringData: users });
  raw.push({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name: 'htpasswd' }, stringData: { auth: Object.entries(users).map(([u, h]) => `${u}:${h}`).join('\n') } });
  for (let i = 0; i < count; i++) {
    const service = `svc${i}`;
    raw.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name: service, annotations: gen.annotations() }, spec: { ports: [{ port: 80 }] } });
    raw.push({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { namespace: ns, name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4', ports: [{ port: 8080 }],
      endpoints: [{ addresses: [`10.1.${i % 250}.${1 + (i % 250)}`], conditions: { ready: true } }],
    });
    const host = gen.random() < 0.7 ? `h${i}.${ns}.example.com` : gen.value([`h${i}.example.com`]);
    const path = gen.random() < 0.5 ? `/p${i}` : gen.value([`/p${i}`, '/']);
    raw.push({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: { namespace: ns, name: `ing${i}`, annotations: gen.annotations() },
      spec: {
        ingressClassName: 'portcullis',
        rules: [{ host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } }],
      },
    });
  }
  return raw.map((o) => normalise(o)).filter((o): o is KubeObject => o !== undefined);
}

/**
 * Listeners beyond the default HTTP/HTTPS pair: an address and port of their own, for front doors
 * (Gateway API) whose objects each get an address. A route names the listeners it is reachable on;
 * a route that names none is reachable on the default pair only, as every Ingress route is.
 */
export interface Listener {
  /** Unique, `[a-z0-9_-]+`; also the key prefix of its routes in the map files. */
  readonly name: string;
  /** IP literal the listener binds. */
  readonly address: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  /** HTTPS: ids (in `Model.certificates`) offered by SNI on this listener only. */
  readonly certificates?: readonly string[];
  /** HTTPS: id of the certificate for names no other certificate of the listener claims. */
  readonly defaultCertificate?: string;
  /**
   * How many leading labels a `*.` route host stands for on this listener: absent or 1, exactly one
   * (the Ingress rule); n > 1, one to n (Gateway API's `*.example.com` matches one label or more).
   * Each further label costs a few lookups on requests no more specific route took.
   */
  readonly wildcardLabels?: number;
  /** Where it came from (a Gateway), for errors `haproxy -c` reports on its bind line. */
  readonly source: { readonly kind: string; readonly namespace: string; readonly name: string };
}

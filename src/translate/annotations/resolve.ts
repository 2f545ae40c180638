import { objectKey, refOf, type ConfigMap, type KindMap, type ObjectRef, type Snapshot } from '../../store/types.js';
import type { Diagnostics } from '../diagnostics.js';
import type { TranslateOptions } from '../types.js';
import { feedsOf, findNginxKey } from './nginx/registry.js';
import { SERVED_ELSEWHERE, elsewhere, notServed } from './nginx/not-served.js';
import { NGINX_PREFIX, type FeedContext } from './nginx/types.js';
import { PREFIXES, findKey } from './registry.js';
import { isSnippetKey } from './snippets.js';
import type { AnnotationDef, AnyAnnotationDef, ParseContext, Scope } from './types.js';

/** The translate options that change how values are read. */
export type ResolveOptions = Pick<TranslateOptions, 'allowConfigSnippets' | 'allowCrossNamespaceSecrets' | 'excluded'>;

/** One value as an object sets it: the key as written (for messages) and the trimmed text. */
interface RawValue {
  def: AnyAnnotationDef;
  key: string;
  value: string;
  /** Lower wins when one object sets a key several ways (prefix, then current name before old name). */
  rank: number;
}

/** Where a resolved value came from; `undefined` level means the built-in default. */
export interface Resolved<T> {
  value: T;
  from?: ObjectSettings;
}

const SCOPE_NAMES: Record<Scope, string> = { service: 'Service', ingress: 'Ingress', configmap: 'ConfigMap' };

/**
 * The objects whose annotations are read, and the scope each reads its keys at: a Service, or the
 * object a front door's routes come from (the `ingress` level sits between Service and ConfigMap).
 */
const ANNOTATION_SCOPES = { Service: 'service', Ingress: 'ingress' } as const satisfies Partial<Record<keyof KindMap, Scope>>;
export type Annotated = KindMap[keyof typeof ANNOTATION_SCOPES];

const MAX_SHOWN = 120;

/** A value as it reads in a message: quoted, and cut short so a hostile value cannot flood logs and Events. */
function shown(value: string): string {
  return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value);
}

/** Where a key's value is kept: its bare name, or `nginx:` and the name for an ingress-nginx key. */
function idOf(def: AnyAnnotationDef): string {
  return def.family ? `${def.family}:${def.name}` : def.name;
}

/**
 * The keys one object (a Service, an Ingress or the ConfigMap) sets, each parsed once, on first use.
 * An invalid value is reported once, on this object, and then reads as absent, so the next level
 * applies.
 */
export class ObjectSettings {
  private readonly parsed = new Map<string, { value: unknown } | undefined>();

  constructor(
    readonly scope: Scope,
    readonly ref: ObjectRef,
    private readonly raw: ReadonlyMap<string, RawValue>,
    private readonly context: ParseContext,
    private readonly diags: Diagnostics,
    private readonly options: ResolveOptions,
  ) {}

  /** The valid value this object sets for `def`, or undefined. */
  get<T>(def: AnnotationDef<T>): { value: T } | undefined {
    const id = idOf(def);
    if (this.parsed.has(id)) return this.parsed.get(id) as { value: T } | undefined;
    const result = this.read(def) ?? this.fed(def);
    this.parsed.set(id, result);
    return result;
  }

  /** The value the ingress-nginx keys of this object give one of our keys it does not set itself. */
  private fed<T>(def: AnnotationDef<T>): { value: T } | undefined {
    if (def.family) return undefined;
    const context: FeedContext = { get: (source) => this.get(source)?.value, ref: this.ref, snapshot: this.context.snapshot };
    for (const { source, feed } of feedsOf(def.name)) {
      const found = this.raw.has(idOf(source)) ? this.get(source) : undefined;
      const value = found === undefined ? undefined : feed.value(found.value, context);
      if (value !== undefined) return { value: value as T };
    }
    return undefined;
  }

  private read<T>(def: AnnotationDef<T>): { value: T } | undefined {
    const raw = this.raw.get(idOf(def));
    if (!raw || !this.snippetAllowed(def, raw.key)) return undefined;
    const parsed = def.parse(raw.value, this.context);
    if (parsed.ok) {
      for (const warning of parsed.warnings ?? []) this.diags.warning('PCL_ANNOTATION_SECRET_INVALID', this.ref, `${raw.key}: ${warning}`);
      return { value: parsed.value };
    }
    const annotation = this.scope !== 'configmap';
    const code = parsed.code ?? (annotation ? 'PCL_INVALID_ANNOTATION' : 'PCL_INVALID_CONFIG_VALUE');
    const fallback = annotation || def.fallback === undefined ? 'it is ignored' : `the default ${def.defaultText ?? ''} is used`;
    this.diags.error(code, this.ref, `${raw.key}: ${shown(raw.value)} ${parsed.reason}; ${fallback}`);
    return undefined;
  }

  /** Snippets are raw configuration: only with the flag, and never again from an object HAProxy rejected. */
  private snippetAllowed(def: AnyAnnotationDef, key: string): boolean {
    if (!isSnippetKey(def.name)) return true;
    if (!this.options.allowConfigSnippets) {
      this.diags.warning('PCL_SNIPPET_DISABLED', this.ref, `${key} is ignored: config snippets are off (--allow-config-snippets)`);
      return false;
    }
    if (this.options.excluded?.has(`${this.ref.kind}/${objectKey(this.ref)}`)) {
      this.diags.warning('PCL_CONFIG_REJECTED', this.ref, `${key} is left out: HAProxy rejected the configuration it produced; it is tried again once the ${this.ref.kind} changes`);
      return false;
    }
    return true;
  }
}

/** One key as an object writes it: full key, bare key, value, and the rank of its prefix (-1: ingress-nginx's). */
type Entry = [key: string, bare: string, value: string, prefixRank: number];

/** The definition of an ingress-nginx key; one without a definition is reported once, with what to use. */
function findNginx(key: string, bare: string, ref: ObjectRef, diags: Diagnostics) {
  const lookup = findNginxKey(bare);
  if (lookup) return lookup;
  // Canary and affinity keys are one definition read under both prefixes, with ingress-nginx's meaning.
  if (SERVED_ELSEWHERE.has(bare)) return findKey(bare);
  if (elsewhere(bare)) return lookup;
  const known = notServed(bare);
  const why = known ? `is not served (${known.why}); instead: ${known.instead}` : 'is not supported; it is ignored';
  diags.warning('PCL_UNKNOWN_ANNOTATION', ref, `${key} ${why}`);
  return undefined;
}

/** Keeps the strongest way an object sets each key; reports keys that are unknown or misplaced. */
function collect(entries: readonly Entry[], scope: Scope, ref: ObjectRef, diags: Diagnostics): Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  for (const [key, bare, value, prefixRank] of entries) {
    const lookup = prefixRank < 0 ? findNginx(key, bare, ref, diags) : findKey(bare);
    if (!lookup) {
      if (key.startsWith('haproxy.org/')) diags.warning('PCL_UNKNOWN_ANNOTATION', ref, `${key} is not supported; it is ignored`);
      continue;
    }
    const { def, alias } = lookup;
    if (!def.scopes.includes(scope)) {
      const where = def.scopes.map((s) => SCOPE_NAMES[s]).join(' or ');
      diags.warning('PCL_ANNOTATION_NOT_APPLICABLE', ref, `${key} has no effect on ${scope === 'ingress' ? 'an' : 'a'} ${SCOPE_NAMES[scope]}; it belongs on the ${where}`);
      continue;
    }
    const rank = prefixRank * 2 + (alias ? 1 : 0);
    const current = values.get(idOf(def));
    if (!current || rank < current.rank) values.set(idOf(def), { def, key, value: value.trim(), rank });
  }
  return values;
}

/**
 * Reads the controller's ConfigMap and the annotations of Services and Ingresses, and resolves each
 * key by precedence: Service > Ingress > ConfigMap > built-in default. One instance per translation.
 */
export class SettingsResolver {
  readonly configMap: ObjectSettings | undefined;
  private readonly objects = new Map<string, ObjectSettings>();

  constructor(
    private readonly snapshot: Snapshot,
    private readonly options: ResolveOptions & Pick<TranslateOptions, 'configMap'>,
    private readonly diags: Diagnostics,
  ) {
    const configMap = options.configMap ? snapshot.configMaps.get(options.configMap) : undefined;
    this.configMap = configMap ? this.fromConfigMap(configMap) : undefined;
  }

  /** The settings an Ingress or Service sets through its annotations. */
  of(obj: Annotated): ObjectSettings {
    const id = `${obj.kind}/${objectKey(obj.metadata)}`;
    let settings = this.objects.get(id);
    if (!settings) {
      settings = this.fromAnnotations(obj);
      this.objects.set(id, settings);
    }
    return settings;
  }

  /**
   * The value of `def` for a request handled under `levels` (strongest first, e.g. [Service,
   * Ingress]), then the ConfigMap, then the default. Levels where the key has no effect are skipped.
   */
  resolve<T>(def: AnnotationDef<T>, levels: readonly (ObjectSettings | undefined)[]): Resolved<T> | undefined {
    for (const level of [...levels, this.configMap]) {
      if (!level || !def.scopes.includes(level.scope)) continue;
      const found = level.get(def);
      if (found) return { value: found.value, from: level };
    }
    return def.fallback === undefined ? undefined : { value: def.fallback };
  }

  private fromConfigMap(configMap: ConfigMap): ObjectSettings {
    const ref = refOf(configMap);
    const entries = Object.entries(configMap.data).map(([key, value]): Entry => [key, key, value, 0]);
    return this.settings('configmap', ref, configMap.metadata.namespace, entries);
  }

  private fromAnnotations(obj: Annotated): ObjectSettings {
    const entries: Entry[] = [];
    for (const [key, value] of Object.entries(obj.metadata.annotations)) {
      const prefix = PREFIXES.findIndex((p) => key.startsWith(p));
      if (prefix >= 0) entries.push([key, key.slice(PREFIXES[prefix].length), value, prefix]);
      else if (key.startsWith(NGINX_PREFIX)) entries.push([key, key.slice(NGINX_PREFIX.length), value, -1]);
    }
    return this.settings(ANNOTATION_SCOPES[obj.kind], refOf(obj), obj.metadata.namespace, entries);
  }

  private settings(scope: Scope, ref: ObjectRef, namespace: string, entries: readonly Entry[]): ObjectSettings {
    const values = collect(entries, scope, ref, this.diags);
    const context: ParseContext = {
      scope,
      namespace,
      snapshot: this.snapshot,
      allowCrossNamespaceSecrets: this.options.allowCrossNamespaceSecrets ?? false,
    };
    const settings = new ObjectSettings(scope, ref, values, context, this.diags, this.options);
    // Every key is read at once, so a typo is reported even where the key does not take effect yet.
    for (const raw of values.values()) settings.get(raw.def);
    return settings;
  }
}

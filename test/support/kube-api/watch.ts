/**
 * Watch streams: newline-delimited JSON events over a chunked 200 response,
 * as kube-apiserver's watch cache serves them. A stream starts with
 * synthetic ADDED events (no resourceVersion, or "0") or replays history
 * after the given resourceVersion; a resourceVersion older than history gets
 * a single ERROR event carrying a 410 Expired Status, then the stream ends.
 */
import type { ServerResponse } from 'node:http';
import { failureStatus } from './errors.js';
import type { KubeObject } from './json-value.js';
import { servedAs, type ResourceType } from './resources.js';
import { matchesFilter, type ObjectFilter } from './selectors.js';
import type { ObjectStore, StoreEvent } from './storage.js';

/** What a watch request asks for. */
export interface WatchParams {
  type: ResourceType;
  filter: ObjectFilter;
  /** Already validated: undefined, "", or a non-negative integer string. */
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  /** The WatchList form: initial state, then a bookmark marked `k8s.io/initial-events-end`. */
  sendInitialEvents?: boolean;
}

type WireEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * How a write looks through a filtered watch: an object that stops matching
 * is DELETED (its previous state at the new resourceVersion), one that
 * starts matching is ADDED, as the watch cache reports selector transitions.
 */
export function filterEvent(event: StoreEvent, type: ResourceType, filter: ObjectFilter): { type: WireEventType; object: KubeObject } | undefined {
  if (event.resource.key !== type.key) return undefined;
  const wasIn = event.prev !== undefined && matchesFilter(filter, event.prev);
  if (event.type === 'DELETED') return wasIn ? { type: 'DELETED', object: event.object } : undefined;
  const isIn = matchesFilter(filter, event.object);
  if (isIn) return { type: wasIn ? event.type : 'ADDED', object: event.object };
  if (!wasIn || !event.prev) return undefined;
  const object = { ...event.prev, metadata: { ...event.prev.metadata, resourceVersion: event.object.metadata.resourceVersion } };
  return { type: 'DELETED', object };
}

/** One open watch response. */
class WatchStream {
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: () => void = () => {};
  private closed = false;

  constructor(
    private readonly params: WatchParams,
    private readonly res: ServerResponse,
    private readonly store: ObjectStore,
    private readonly onClosed: (stream: WatchStream) => void,
  ) {}

  private send(type: WireEventType, object: unknown): void {
    if (this.closed || this.res.writableEnded || this.res.destroyed) return;
    this.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private bookmark(annotations?: Record<string, string>): void {
    const metadata: KubeObject['metadata'] = { resourceVersion: String(this.store.revision) };
    if (annotations) metadata.annotations = annotations;
    this.send('BOOKMARK', { kind: this.params.type.kind, apiVersion: this.params.type.apiVersion, metadata });
  }

  /** Sends the backlog, then follows live writes. Synchronous, so no write can fall between the two. */
  start(bookmarkIntervalMs: number): void {
    const { params, store } = this;
    this.res.on('close', () => this.close());
    const rv = params.resourceVersion;
    if (rv === undefined || rv === '' || rv === '0' || params.sendInitialEvents) {
      for (const [, obj] of store.entries(params.type)) {
        if (matchesFilter(params.filter, obj)) this.send('ADDED', servedAs(params.type, obj));
      }
      if (params.sendInitialEvents && params.allowBookmarks) this.bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const backlog = store.eventsAfter(Number(rv));
      if (!backlog) {
        const message = `too old resource version: ${rv} (${store.oldestResumable + 1})`;
        this.send('ERROR', failureStatus(410, message, 'Expired'));
        this.end();
        return;
      }
      for (const event of backlog) this.forward(event);
    }
    this.unsubscribe = store.subscribe((event) => this.forward(event));
    if (params.allowBookmarks && bookmarkIntervalMs > 0) {
      this.timers.push(setInterval(() => this.bookmark(), bookmarkIntervalMs));
    }
    if (params.timeoutSeconds && params.timeoutSeconds > 0) {
      this.timers.push(setTimeout(() => this.end(), params.timeoutSeconds * 1000));
    }
  }

  private forward(event: StoreEvent): void {
    const wire = filterEvent(event, this.params.type, this.params.filter);
    if (wire) this.send(wire.type, servedAs(this.params.type, wire.object));
  }

  /** Ends the response normally; the client sees a clean end of stream and reconnects. */
  end(): void {
    if (!this.res.writableEnded) this.res.end();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.onClosed(this);
  }
}

/** Every open watch of one server, so they can be ended together. */
export class WatchHub {
  private readonly streams = new Set<WatchStream>();

  constructor(private readonly store: ObjectStore, private readonly bookmarkIntervalMs: number) {}

  /** Number of streams currently open. */
  get openCount(): number {
    return this.streams.size;
  }

  /** Writes the 200 header and starts streaming; the caller has validated the parameters. */
  open(params: WatchParams, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    const stream = new WatchStream(params, res, this.store, (s) => this.streams.delete(s));
    this.streams.add(stream);
    stream.start(this.bookmarkIntervalMs);
  }

  /** Ends every open stream, like an apiserver restart. */
  closeAll(): void {
    for (const stream of [...this.streams]) stream.end();
  }
}

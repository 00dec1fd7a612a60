// Shares one informer per resource (and options) between the controllers of one process.
import type { KubeObject } from '../api/meta.js';
import type { ResourceDescriptor } from '../api/resources.js';
import { Informer, type InformerOptions } from './informer.js';
import type { RestClient } from './rest-client.js';

type SharedOptions = Pick<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>;

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly running = new Map<Informer<KubeObject>, Promise<void>>();
  private signal?: AbortSignal;

  constructor(
    private readonly client: RestClient,
    private readonly defaults: Omit<InformerOptions, keyof SharedOptions> = {},
  ) {}

  /** The shared informer for `desc`; started at once if the factory already runs. */
  informerFor<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, options: SharedOptions = {}): Informer<T> {
    const key = JSON.stringify([desc.group, desc.version, desc.resource, options.namespace ?? '', options.labelSelector ?? '', options.fieldSelector ?? '']);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>(this.client, desc, { ...this.defaults, ...options });
      this.informers.set(key, informer);
      if (this.signal) this.run(informer, this.signal);
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer created so far and any created later; they stop when `signal` aborts. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const informer of this.informers.values()) this.run(informer, signal);
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves when every started informer has stopped. */
  async stopped(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private run(informer: Informer<KubeObject>, signal: AbortSignal): void {
    if (this.running.has(informer)) return;
    // start() only rejects on programming errors (a second start), which the map prevents.
    this.running.set(informer, informer.start(signal).catch(() => undefined));
  }
}

// The disruption controller: keeps PodDisruptionBudget status current as pods and their
// controllers change, so the eviction endpoint can trust disruptionsAllowed.
import { objectKey, type KubeObject } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { matchesLabelSelector } from '../../client/label-selector.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import type { Pod } from '../common/pods.js';
import type { PodDisruptionBudget } from './reconcile.js';
import { PdbSync } from './sync.js';

export class DisruptionController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: PdbSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('disruption-controller');
    const f = options.informers;
    const pdbInformer = f.informerFor<PodDisruptionBudget>(KINDS.pdb);
    const podInformer = f.informerFor<Pod>(KINDS.pod);
    const pdbs = pdbInformer.lister();
    pdbInformer.addHandlers({ onAdd: (p) => this.queue.add(objectKey(p)), onUpdate: (_o, p) => this.queue.add(objectKey(p)) });
    const forPod = (pod: Pod): void => {
      for (const pdb of pdbs.list(pod.metadata.namespace)) if (pdb.spec?.selector && matchesLabelSelector(pdb.spec.selector, pod.metadata.labels)) this.queue.add(objectKey(pdb));
    };
    podInformer.addHandlers({ onAdd: forPod, onUpdate: (oldPod, pod) => (forPod(oldPod), forPod(pod)), onDelete: forPod });
    const forNamespace = (obj: KubeObject): void => {
      for (const pdb of pdbs.list(obj.metadata.namespace)) this.queue.add(objectKey(pdb));
    };
    const scalables = [KINDS.replicaSet, KINDS.deployment, KINDS.statefulSet].map((desc) => {
      const informer = f.informerFor<KubeObject>(desc);
      informer.addHandlers({ onAdd: forNamespace, onUpdate: (_o, obj) => forNamespace(obj), onDelete: forNamespace });
      return informer.lister();
    });
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'controllermanager', log: this.log });
    this.syncer = new PdbSync({ client: options.client, pdbs, pods: podInformer.lister(), replicaSets: scalables[0]!, deployments: scalables[1]!, statefulSets: scalables[2]!, recorder, now: options.now });
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 3, signal, log: this.log, sync: async (key) => {
      const result = await this.syncer.sync(key);
      return result.requeueAfterMs === undefined ? {} : { requeueAfterMs: result.requeueAfterMs + 100 };
    } });
  }
}

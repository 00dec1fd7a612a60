// The scheduler's view of the cluster: one NodeInfo per node, updated incrementally from informer
// events and assumed pods. A scheduling cycle runs synchronously, so it reads this view directly
// instead of copying it; the node list is rebuilt only when nodes come or go.
import { NodeInfo } from './node-info.js';
import { podUid, type Node, type Pod } from './types.js';

export class Snapshot {
  private readonly byName = new Map<string, NodeInfo>();
  private readonly podNode = new Map<string, string>();
  private nodeList: NodeInfo[] | undefined;
  /** How many nodes hold each image; rebuilt only after nodes change (ImageLocality reads it per pod). */
  private imageCounts: Map<string, number> | undefined;
  /** Nodes that hold pods with pod (anti-)affinity: the only ones existing-pod checks must visit. */
  readonly havePodsWithAffinity = new Set<NodeInfo>();
  readonly havePodsWithRequiredAntiAffinity = new Set<NodeInfo>();
  /** Namespace labels, for affinity terms with a namespaceSelector; empty when unknown. */
  namespaceLabels: (namespace: string) => Record<string, string> | undefined = () => undefined;

  static build(nodes: Node[], pods: Pod[]): Snapshot {
    const s = new Snapshot();
    for (const n of nodes) s.setNode(n);
    for (const p of pods) if (p.spec?.nodeName) s.addPod(p);
    return s;
  }

  /** Nodes that exist (pods may reference nodes not seen yet; those are left out). */
  list(): NodeInfo[] {
    if (!this.nodeList) this.nodeList = [...this.byName.values()].filter((n) => n.node !== undefined);
    return this.nodeList;
  }

  imageNodeCount(image: string): number {
    if (!this.imageCounts) {
      this.imageCounts = new Map();
      for (const info of this.list()) for (const name of info.imageSizes.keys()) this.imageCounts.set(name, (this.imageCounts.get(name) ?? 0) + 1);
    }
    return this.imageCounts.get(image) ?? 0;
  }

  get(name: string): NodeInfo | undefined {
    const info = this.byName.get(name);
    return info?.node ? info : undefined;
  }

  numNodes(): number {
    return this.list().length;
  }

  setNode(node: Node): void {
    this.imageCounts = undefined;
    const name = node.metadata.name ?? '';
    const info = this.byName.get(name);
    if (info) {
      const had = info.node !== undefined;
      info.setNode(node);
      if (!had) this.nodeList = undefined;
      return;
    }
    this.byName.set(name, new NodeInfo(node));
    this.nodeList = undefined;
  }

  removeNode(name: string): void {
    this.imageCounts = undefined;
    const info = this.byName.get(name);
    if (!info) return;
    this.nodeList = undefined;
    if (info.pods.size === 0) {
      this.byName.delete(name);
      this.havePodsWithAffinity.delete(info);
      this.havePodsWithRequiredAntiAffinity.delete(info);
      return;
    }
    // Pods still point at it; keep their accounting until they go, as Kubernetes' cache does.
    info.node = undefined;
  }

  /** Adds (or moves) a pod onto spec.nodeName, or onto `nodeName` for assumed pods. */
  addPod(pod: Pod, nodeName = pod.spec?.nodeName ?? ''): void {
    const uid = podUid(pod);
    const previous = this.podNode.get(uid);
    if (previous !== undefined) this.removeFrom(previous, pod);
    let info = this.byName.get(nodeName);
    if (!info) this.byName.set(nodeName, (info = new NodeInfo()));
    info.addPod(pod);
    this.podNode.set(uid, nodeName);
    this.refreshSets(info);
  }

  removePod(pod: Pod): void {
    const uid = podUid(pod);
    const nodeName = this.podNode.get(uid);
    if (nodeName === undefined) return;
    this.podNode.delete(uid);
    this.removeFrom(nodeName, pod);
  }

  hasPod(pod: Pod): boolean {
    return this.podNode.has(podUid(pod));
  }

  nodeOf(pod: Pod): string | undefined {
    return this.podNode.get(podUid(pod));
  }

  private removeFrom(nodeName: string, pod: Pod): void {
    const info = this.byName.get(nodeName);
    if (!info) return;
    info.removePod(pod);
    this.refreshSets(info);
    if (!info.node && info.pods.size === 0) this.byName.delete(nodeName);
  }

  private refreshSets(info: NodeInfo): void {
    if (info.podsWithAffinity.size > 0) this.havePodsWithAffinity.add(info);
    else this.havePodsWithAffinity.delete(info);
    if (info.podsWithRequiredAntiAffinity.size > 0) this.havePodsWithRequiredAntiAffinity.add(info);
    else this.havePodsWithRequiredAntiAffinity.delete(info);
  }
}

// A Framework is one scheduling profile made concrete: plugin instances per extension point,
// score weights, and the calls that run each point in order.
import { CycleState } from './cycle-state.js';
import { isRejection, MAX_NODE_SCORE, type AnyPlugin, type BindPlugin, type FilterPlugin, type FrameworkHandle, type NodeScore, type PermitPlugin, type PostFilterPlugin, type PostFilterResult, type PreBindPlugin, type PreFilterPlugin, type PreFilterResult, type PreScorePlugin, type ReservePlugin, type ScorePlugin, type Status } from './interfaces.js';
import type { NodeInfo } from './node-info.js';
import type { Snapshot } from './snapshot.js';
import type { Pod } from './types.js';

export type ExtensionPoint = 'preFilter' | 'filter' | 'postFilter' | 'preScore' | 'score' | 'reserve' | 'permit' | 'preBind' | 'bind';

export const EXTENSION_POINTS: readonly ExtensionPoint[] = ['preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind'];

export interface PluginRef {
  name: string;
  weight?: number;
}

/** The resolved plugin lists of one profile. */
export type ProfilePlugins = Record<ExtensionPoint, PluginRef[]>;

export interface ProfileSpec {
  schedulerName: string;
  plugins: ProfilePlugins;
  /** Plugin name -> its args object (already parsed from pluginConfig). */
  pluginArgs: Map<string, unknown>;
  /** 0 means Kubernetes' adaptive percentage. */
  percentageOfNodesToScore: number;
}

export interface PluginContext {
  args: unknown;
  handle: FrameworkHandle;
}

export type PluginFactory = (ctx: PluginContext) => AnyPlugin;

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export class Framework implements FrameworkHandle {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number;
  readonly preFilterPlugins: PreFilterPlugin[] = [];
  readonly filterPlugins: FilterPlugin[] = [];
  readonly postFilterPlugins: PostFilterPlugin[] = [];
  readonly preScorePlugins: PreScorePlugin[] = [];
  readonly scorePlugins: WeightedScorePlugin[] = [];
  readonly reservePlugins: ReservePlugin[] = [];
  readonly permitPlugins: PermitPlugin[] = [];
  readonly preBindPlugins: PreBindPlugin[] = [];
  readonly bindPlugins: BindPlugin[] = [];
  private readonly instances = new Map<string, AnyPlugin>();
  private readonly scores: NodeScore[] = [];

  constructor(
    profile: ProfileSpec,
    registry: ReadonlyMap<string, PluginFactory>,
    private readonly getSnapshot: () => Snapshot,
  ) {
    this.schedulerName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    const instance = (name: string): AnyPlugin => {
      let plugin = this.instances.get(name);
      if (!plugin) {
        const factory = registry.get(name);
        if (!factory) throw new Error(`plugin "${name}" does not exist`);
        plugin = factory({ args: profile.pluginArgs.get(name), handle: this });
        this.instances.set(name, plugin);
      }
      return plugin;
    };
    const need = <K extends keyof AnyPlugin>(name: string, method: K, point: string): AnyPlugin => {
      const plugin = instance(name);
      if (typeof plugin[method] !== 'function') throw new Error(`plugin "${name}" does not extend ${point}`);
      return plugin;
    };
    for (const ref of profile.plugins.preFilter) this.preFilterPlugins.push(need(ref.name, 'preFilter', 'PreFilter') as PreFilterPlugin);
    for (const ref of profile.plugins.filter) this.filterPlugins.push(need(ref.name, 'filter', 'Filter') as FilterPlugin);
    for (const ref of profile.plugins.postFilter) this.postFilterPlugins.push(need(ref.name, 'postFilter', 'PostFilter') as PostFilterPlugin);
    for (const ref of profile.plugins.preScore) this.preScorePlugins.push(need(ref.name, 'preScore', 'PreScore') as PreScorePlugin);
    for (const ref of profile.plugins.score) this.scorePlugins.push({ plugin: need(ref.name, 'score', 'Score') as ScorePlugin, weight: ref.weight ?? 1 });
    for (const ref of profile.plugins.reserve) this.reservePlugins.push(need(ref.name, 'reserve', 'Reserve') as ReservePlugin);
    for (const ref of profile.plugins.permit) this.permitPlugins.push(need(ref.name, 'permit', 'Permit') as PermitPlugin);
    for (const ref of profile.plugins.preBind) this.preBindPlugins.push(need(ref.name, 'preBind', 'PreBind') as PreBindPlugin);
    for (const ref of profile.plugins.bind) this.bindPlugins.push(need(ref.name, 'bind', 'Bind') as BindPlugin);
  }

  plugin(name: string): AnyPlugin | undefined {
    return this.instances.get(name);
  }

  snapshot(): Snapshot {
    return this.getSnapshot();
  }

  /** Runs PreFilter; a rejection ends the cycle for the pod. `nodeNames` narrows the candidates. */
  runPreFilter(state: CycleState, pod: Pod): { status?: Status; nodeNames?: Set<string> } {
    const snapshot = this.getSnapshot();
    let nodeNames: Set<string> | undefined;
    for (const plugin of this.preFilterPlugins) {
      const out = plugin.preFilter(state, pod, snapshot);
      const status = out?.status;
      if (status?.code === 'Skip') {
        state.skipFilter.add(plugin.name);
        continue;
      }
      if (status && status.code !== 'Success') return { status: { ...status, plugin: plugin.name } };
      nodeNames = intersect(nodeNames, out?.result);
    }
    return { nodeNames };
  }

  /** Undefined means every filter passed; nothing is allocated on that path. */
  runFilters(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const plugins = this.activeFilters(state);
    for (let i = 0; i < plugins.length; i++) {
      const plugin = plugins[i]!;
      const status = plugin.filter(state, pod, nodeInfo);
      if (status && status.code !== 'Success') return status.plugin ? status : { ...status, plugin: plugin.name };
    }
    return undefined;
  }

  /** The cycle's last list of Filter plugins not skipped by PreFilter (one lookup per cycle, not one per node and plugin). */
  private lastFilters: { state?: CycleState; skips: number; plugins: FilterPlugin[] } = { skips: 0, plugins: [] };

  private activeFilters(state: CycleState): FilterPlugin[] {
    const skip = state.skipFilter;
    if (skip.size === 0) return this.filterPlugins;
    const last = this.lastFilters;
    if (last.state === state && last.skips === skip.size) return last.plugins;
    const plugins = this.filterPlugins.filter((plugin) => !skip.has(plugin.name));
    this.lastFilters = { state, skips: skip.size, plugins };
    return plugins;
  }

  runPreFilterAddPod(state: CycleState, pod: Pod, podToAdd: Pod, nodeInfo: NodeInfo): void {
    for (const plugin of this.preFilterPlugins) {
      if (!state.skipFilter.has(plugin.name)) plugin.preFilterExtensions?.addPod(state, pod, podToAdd, nodeInfo);
    }
  }

  runPreFilterRemovePod(state: CycleState, pod: Pod, podToRemove: Pod, nodeInfo: NodeInfo): void {
    for (const plugin of this.preFilterPlugins) {
      if (!state.skipFilter.has(plugin.name)) plugin.preFilterExtensions?.removePod(state, pod, podToRemove, nodeInfo);
    }
  }

  runPostFilter(state: CycleState, pod: Pod, filtered: Map<string, Status>): PostFilterResult | undefined {
    let last: PostFilterResult | undefined;
    for (const plugin of this.postFilterPlugins) {
      const result = plugin.postFilter(state, pod, filtered, this);
      if (result.status.code === 'Success') return result;
      last = result;
      if (!isRejection(result.status)) break;
    }
    return last;
  }

  runPreScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status | undefined {
    const snapshot = this.getSnapshot();
    for (const plugin of this.preScorePlugins) {
      const status = plugin.preScore(state, pod, nodes, snapshot);
      if (status?.code === 'Skip') state.skipScore.add(plugin.name);
      else if (status && status.code !== 'Success') return { ...status, plugin: plugin.name };
    }
    return undefined;
  }

  /** Weighted total per node, in the order of `nodes`. */
  runScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): number[] {
    const n = nodes.length;
    const totals = new Array<number>(n).fill(0);
    const plugins = this.scorePlugins;
    for (let p = 0; p < plugins.length; p++) {
      const { plugin, weight } = plugins[p]!;
      if (state.skipScore.has(plugin.name)) continue;
      if (!plugin.normalizeScore) {
        // No normalisation: raw scores go straight into the totals, no per-node objects.
        for (let i = 0; i < n; i++) totals[i]! += clampScore(plugin.score(state, pod, nodes[i]!)) * weight;
        continue;
      }
      const scores = this.scoreBuffer(nodes);
      for (let i = 0; i < n; i++) scores[i]!.score = plugin.score(state, pod, nodes[i]!);
      plugin.normalizeScore(state, pod, scores);
      for (let i = 0; i < n; i++) totals[i]! += clampScore(scores[i]!.score) * weight;
    }
    return totals;
  }

  /** NodeScore entries for `nodes`, reused across plugins and cycles (a cycle runs synchronously). */
  private scoreBuffer(nodes: NodeInfo[]): NodeScore[] {
    const buf = this.scores;
    const n = nodes.length;
    for (let i = 0; i < n; i++) {
      const name = nodes[i]!.name;
      const entry = buf[i];
      if (entry === undefined) buf.push({ name, score: 0 });
      else {
        entry.name = name;
        entry.score = 0;
      }
    }
    if (buf.length > n) buf.length = n;
    return buf;
  }

  runReserve(state: CycleState, pod: Pod, nodeName: string): Status | undefined {
    for (let i = 0; i < this.reservePlugins.length; i++) {
      const status = this.reservePlugins[i]!.reserve(state, pod, nodeName);
      if (status && status.code !== 'Success') {
        for (let j = i; j >= 0; j--) this.reservePlugins[j]!.unreserve(state, pod, nodeName);
        return { ...status, plugin: this.reservePlugins[i]!.name };
      }
    }
    return undefined;
  }

  runUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (let j = this.reservePlugins.length - 1; j >= 0; j--) this.reservePlugins[j]!.unreserve(state, pod, nodeName);
  }

  runPermit(state: CycleState, pod: Pod, nodeName: string): Status | undefined {
    for (const plugin of this.permitPlugins) {
      const status = plugin.permit(state, pod, nodeName);
      if (status && status.code !== 'Success') return { ...status, plugin: plugin.name };
    }
    return undefined;
  }

  /**
   * Runs PreBind in order; the first failure ends it. A rejection comes back as the plugin gave it;
   * an error as Kubernetes words it: `running PreBind plugin "NAME": message`.
   */
  async runPreBind(state: CycleState, pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status | undefined> {
    for (const plugin of this.preBindPlugins) {
      let status: Status | undefined;
      try {
        status = await plugin.preBind(state, pod, nodeName, signal);
      } catch (err) {
        status = { code: 'Error', reasons: [err instanceof Error ? err.message : String(err)] };
      }
      if (!status || status.code === 'Success' || status.code === 'Skip') continue;
      if (isRejection(status)) return { ...status, plugin: plugin.name };
      return { code: 'Error', reasons: [`running PreBind plugin "${plugin.name}": ${status.reasons.join(', ')}`], plugin: plugin.name };
    }
    return undefined;
  }

  async runBind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status | undefined> {
    for (const plugin of this.bindPlugins) {
      const status = await plugin.bind(pod, nodeName, signal);
      if (status?.code === 'Skip') continue;
      return status && status.code !== 'Success' ? { ...status, plugin: plugin.name } : undefined;
    }
    return { code: 'Error', reasons: ['no bind plugin bound the pod'] };
  }

  newCycleState(): CycleState {
    return new CycleState();
  }
}

function clampScore(score: number): number {
  return score < 0 ? 0 : score > MAX_NODE_SCORE ? MAX_NODE_SCORE : score;
}

function intersect(current: Set<string> | undefined, result: PreFilterResult | undefined): Set<string> | undefined {
  if (!result?.nodeNames) return current;
  if (!current) return new Set(result.nodeNames);
  return new Set([...current].filter((n) => result.nodeNames!.has(n)));
}

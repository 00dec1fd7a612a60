// ImageLocality: prefer nodes that already hold the pod's images, weighted by image size and by
// how few nodes have them (so one node holding a popular image does not attract everything).
import { FrozenState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin } from '../../framework/interfaces.js';
import { normalizedImageName } from '../../framework/node-info.js';

export const IMAGE_LOCALITY = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const STATE_KEY = 'PreScore' + IMAGE_LOCALITY;

interface ImageSpread {
  images: string[];
  /** Share of all nodes holding each image. */
  spread: Map<string, number>;
  containers: number;
}

export function newImageLocality(): PreScorePlugin & ScorePlugin {
  return {
    name: IMAGE_LOCALITY,
    preScore(state, pod, _nodes, snapshot) {
      const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
      const images = [...new Set(containers.filter((c) => c.image).map((c) => normalizedImageName(c.image!)))];
      const total = snapshot.numNodes();
      const spread = new Map<string, number>();
      for (const image of images) spread.set(image, total === 0 ? 0 : snapshot.imageNodeCount(image) / total);
      state.write(STATE_KEY, new FrozenState<ImageSpread>({ images, spread, containers: containers.length }));
      return undefined;
    },
    score(state, _pod, nodeInfo) {
      const data = state.read<FrozenState<ImageSpread>>(STATE_KEY)?.value;
      if (!data || data.images.length === 0) return 0;
      let sum = 0;
      for (const image of data.images) {
        const size = nodeInfo.imageSizes.get(image);
        if (size !== undefined) sum += size * (data.spread.get(image) ?? 0);
      }
      const maxThreshold = MAX_CONTAINER_THRESHOLD * Math.max(1, data.containers);
      const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
      return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
    },
  };
}

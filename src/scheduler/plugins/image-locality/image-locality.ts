// ImageLocality: prefer nodes that already hold the pod's images, weighted by image size and by
// how few nodes have them (so one node holding a popular image does not attract everything).
import { FrozenState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, SKIP, type PreScorePlugin, type ScorePlugin } from '../../framework/interfaces.js';
import { normalizedImageName } from '../../framework/node-info.js';

export const IMAGE_LOCALITY = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const STATE_KEY = 'PreScore' + IMAGE_LOCALITY;

interface ImageSpread {
  images: string[];
  /** Share of all nodes holding each image, index-aligned with `images`. */
  spread: number[];
  containers: number;
}

export function newImageLocality(): PreScorePlugin & ScorePlugin {
  return {
    name: IMAGE_LOCALITY,
    preScore(state, pod, _nodes, snapshot) {
      const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
      const images = [...new Set(containers.filter((c) => c.image).map((c) => normalizedImageName(c.image!)))];
      const total = snapshot.numNodes();
      const spread: number[] = [];
      let anyHeld = false;
      for (const image of images) {
        const share = total === 0 ? 0 : snapshot.imageNodeCount(image) / total;
        if (share > 0) anyHeld = true;
        spread.push(share);
      }
      // No node holds any of the images: every node scores 0, so skip the per-node work.
      if (!anyHeld) return SKIP;
      state.write(STATE_KEY, new FrozenState<ImageSpread>({ images, spread, containers: containers.length }));
      return undefined;
    },
    score(state, _pod, nodeInfo) {
      const data = state.read<FrozenState<ImageSpread>>(STATE_KEY)?.value;
      if (!data || data.images.length === 0) return 0;
      const { images, spread } = data;
      let sum = 0;
      for (let i = 0; i < images.length; i++) {
        const size = nodeInfo.imageSizes.get(images[i]!);
        if (size !== undefined) sum += size * spread[i]!;
      }
      const maxThreshold = MAX_CONTAINER_THRESHOLD * Math.max(1, data.containers);
      const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
      return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
    },
  };
}

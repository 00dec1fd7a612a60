// `kijabi image import FILE | ls | rm REF [--data-dir DIR]`: manage the node's image store offline.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { familiarName } from './image-ref.js';
import { ImageStore, type ImageRecord } from './image-store.js';

const USAGE = `Usage:
  kijabi image import FILE [--data-dir DIR]   import a docker save or OCI layout tarball
  kijabi image ls [--data-dir DIR]            list images
  kijabi image rm REF [--data-dir DIR]        remove an image (by name:tag, digest or id)`;

function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/kijabi' : join(homedir(), '.kijabi');
}

export function imageStoreRoot(dataDir: string): string {
  return join(dataDir, 'agent', 'images');
}

/** 1234567 → "1.23MB", like crictl. */
export function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toPrecision(3).replace(/\.?0+$/, '')}${units[unit]}`;
}

/** Rows of IMAGE, TAG, IMAGE ID, SIZE: one per tag, `<none>` for untagged images. */
export function imageTableRows(images: ImageRecord[]): string[][] {
  const rows: string[][] = [];
  for (const image of images) {
    const shortId = image.id.replace(/^sha256:/, '').slice(0, 12);
    const size = formatSize(image.size);
    if (image.repoTags.length === 0) {
      const name = image.repoDigests[0]?.split('@')[0];
      rows.push([name ? familiarName(name) : '<none>', '<none>', shortId, size]);
    }
    for (const tag of image.repoTags) {
      const colon = tag.lastIndexOf(':');
      rows.push([familiarName(tag.slice(0, colon)), tag.slice(colon + 1), shortId, size]);
    }
  }
  return rows;
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function parseImageArgs(args: string[]): { verb: string | undefined; positional: string[]; dataDir: string } {
  const positional: string[] = [];
  let dataDir = defaultDataDir();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--data-dir') {
      const value = args[++i];
      if (!value) throw new Error('--data-dir needs a value');
      dataDir = value;
    } else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg.startsWith('-') && arg !== '-') throw new Error(`unknown flag ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  return { verb: positional.shift(), positional, dataDir };
}

export async function imageCommand(args: string[]): Promise<void> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { verb, positional, dataDir } = parseImageArgs(args);
  const needOne = (what: string): string => {
    if (positional.length !== 1) throw new Error(`kijabi image ${verb} needs exactly one ${what}\n${USAGE}`);
    return positional[0]!;
  };
  switch (verb) {
    case 'import': {
      const file = needOne('FILE');
      const store = new ImageStore(imageStoreRoot(dataDir));
      const records = await store.importArchive(file);
      for (const r of records) {
        const names = r.repoTags.length ? r.repoTags.join(', ') : '<none>';
        process.stdout.write(`Imported ${names} (${r.id})\n`);
      }
      return;
    }
    case 'ls':
    case 'list': {
      if (positional.length) throw new Error(`kijabi image ls takes no arguments\n${USAGE}`);
      const store = new ImageStore(imageStoreRoot(dataDir));
      process.stdout.write(formatTable(['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], imageTableRows(store.list())));
      return;
    }
    case 'rm':
    case 'rmi': {
      const ref = needOne('REF');
      const store = new ImageStore(imageStoreRoot(dataDir));
      const image = store.resolve(ref);
      if (!image) throw new Error(`image "${ref}" not found`);
      await store.remove(image.id);
      process.stdout.write(`Deleted: ${image.id}\n`);
      return;
    }
    default:
      throw new Error(verb ? `unknown image command "${verb}"\n${USAGE}` : USAGE);
  }
}

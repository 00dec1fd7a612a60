// Test images built offline and a throwaway local registry:
// busybox-static → umoci (OCI layout, one or two layers) → skopeo → Debian's docker-registry on a free
// 127.0.0.1 port. Everything lives in temp dirs that cleanup() removes; the registry is stopped by PID.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const TOOLS = ['/bin/busybox', '/usr/bin/umoci', '/usr/bin/skopeo', '/usr/bin/docker-registry'];

/** Why registry tests cannot run here (missing tool or not root), or undefined when they can. */
export function registryTestSkipReason(): string | undefined {
  const missing = TOOLS.filter((t) => !existsSync(t));
  if (missing.length) return `missing ${missing.join(', ')} (apt-get install busybox-static umoci skopeo docker-registry)`;
  if (process.getuid?.() !== 0) return 'needs root (umoci unpack, mknod, trusted.* xattrs)';
  return undefined;
}

function run(file: string, args: string[], options: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

export interface BusyboxLayout {
  dir: string;
  /** OCI image layout directory; tags `base` (one layer) and, if requested, `web` (two layers). */
  layout: string;
  tags: string[];
  cleanup(): Promise<void>;
}

export const LAYER2_INDEX_HTML = 'hello from image layer 2\n';

/** Builds busybox images in an OCI layout: `base` and optionally `web` (adds /www/index.html v2, deletes /bin/vi). */
export async function buildBusyboxLayout(options: { secondLayer?: boolean } = {}): Promise<BusyboxLayout> {
  const dir = await mkdtemp(join(tmpdir(), 'kjb-img-'));
  const layout = join(dir, 'oci');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', `${layout}:base`]);
    const b1 = join(dir, 'b1');
    await run('umoci', ['unpack', '--image', `${layout}:base`, b1]);
    const rootfs = join(b1, 'rootfs');
    for (const d of ['bin', 'etc', 'www', 'tmp', 'root']) await mkdir(join(rootfs, d), { recursive: true });
    await run('cp', ['/bin/busybox', join(rootfs, 'bin/busybox')]);
    const applets = (await run('/bin/busybox', ['--list-full'])).split('\n').filter((l) => l && l !== 'bin/busybox');
    for (const applet of applets) {
      await mkdir(join(rootfs, dirname(applet)), { recursive: true });
      await symlink('/bin/busybox', join(rootfs, applet)).catch(() => undefined);
    }
    await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    await writeFile(join(rootfs, 'www/index.html'), 'hello from image layer 1\n');
    await run('umoci', ['repack', '--image', `${layout}:base`, b1]);
    await run('umoci', ['config', '--image', `${layout}:base`, '--config.cmd', 'sh', '--config.env', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', '--os', 'linux', '--architecture', 'amd64']);
    const tags = ['base'];
    if (options.secondLayer) {
      const b2 = join(dir, 'b2');
      await run('umoci', ['unpack', '--image', `${layout}:base`, b2]);
      await writeFile(join(b2, 'rootfs/www/index.html'), LAYER2_INDEX_HTML);
      await writeFile(join(b2, 'rootfs/www/added.txt'), 'added in layer 2\n');
      await rm(join(b2, 'rootfs/bin/vi'));
      await run('umoci', ['repack', '--image', `${layout}:web`, b2]);
      await run('umoci', ['config', '--image', `${layout}:web`, '--config.cmd', '/bin/httpd', '--config.cmd', '-f', '--config.cmd', '-p', '--config.cmd', '80', '--config.cmd', '-h', '--config.cmd', '/www', '--config.workingdir', '/www']);
      tags.push('web');
    }
    await run('umoci', ['gc', '--layout', layout]);
    return { dir, layout, tags, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export interface ImageVariant {
  /** Tag of the new image in the layout. */
  tag: string;
  /** Files added on top of `from` (absolute paths in the image), with their modes (default 0644). */
  files?: Record<string, { content: string; mode?: number }>;
  /** The image's Cmd. */
  cmd?: string[];
  /** The image's Entrypoint (unset by default). */
  entrypoint?: string[];
  workingDir?: string;
}

/** Adds `variant` to the layout: `from`'s layer plus one with `files`, and its own config. */
export async function addImageVariant(layout: string, from: string, variant: ImageVariant): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'kjb-variant-'));
  try {
    const bundle = join(work, 'bundle');
    await run('umoci', ['unpack', '--image', `${layout}:${from}`, bundle]);
    for (const [path, file] of Object.entries(variant.files ?? {})) {
      const target = join(bundle, 'rootfs', path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { mode: file.mode ?? 0o644 });
    }
    await run('umoci', ['repack', '--image', `${layout}:${variant.tag}`, bundle]);
    const config = ['config', '--image', `${layout}:${variant.tag}`];
    for (const part of variant.cmd ?? []) config.push('--config.cmd', part);
    for (const part of variant.entrypoint ?? []) config.push('--config.entrypoint', part);
    if (variant.workingDir) config.push('--config.workingdir', variant.workingDir);
    if (config.length > 3) await run('umoci', config);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
    req.end();
  });
}

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  credentials?: { username: string; password: string };
  /** Pushes `<layout>:<tag>` as `<host>/<repository>:<destTag>`. */
  push(layout: string, tag: string, repository?: string, destTag?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts /usr/bin/docker-registry on a free loopback port, optionally with htpasswd basic auth. */
export async function startRegistry(options: { auth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'kjb-reg-'));
  const auth = options.auth;
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((r) => child!.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let authConfig = '';
    if (auth) {
      // docker-registry accepts only bcrypt entries; htpasswd comes from apache2-utils.
      const line = await run('htpasswd', ['-Bbn', auth.username, auth.password]);
      await writeFile(join(dir, 'htpasswd'), line.trim() + '\n');
      authConfig = `auth: {htpasswd: {realm: kijabi-test, path: ${join(dir, 'htpasswd')}}}\n`;
    }
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    await writeFile(
      join(dir, 'config.yml'),
      `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}\nhttp: {addr: "${host}"}\n${authConfig}`,
    );
    child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = await probe(`http://${host}/v2/`);
      if (status === 200 || status === 401) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`registry did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const push = async (layout: string, tag: string, repository = 'library/busybox', destTag = tag) => {
      const creds = auth ? ['--dest-creds', `${auth.username}:${auth.password}`] : [];
      await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', ...creds, `oci:${layout}:${tag}`, `docker://${host}/${repository}:${destTag}`]);
    };
    return { host, ...(auth ? { credentials: auth } : {}), push, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A `docker save`-style archive (kind 'docker') or an OCI layout archive (kind 'oci') of busybox:1.0 (two layers). */
export async function buildBusyboxArchive(kind: 'docker' | 'oci', options: { name?: string } = {}): Promise<{ file: string; cleanup(): Promise<void> }> {
  const image = await buildBusyboxLayout({ secondLayer: true });
  try {
    const file = join(image.dir, `busybox-${kind}.tar`);
    const name = options.name ?? 'busybox:1.0';
    const dest = kind === 'docker' ? `docker-archive:${file}:${name}` : `oci-archive:${file}:${name}`;
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', `oci:${image.layout}:web`, dest]);
    return { file, cleanup: image.cleanup };
  } catch (err) {
    await image.cleanup();
    throw err;
  }
}

// The cluster CA and the API server's serving certificate, made on first start and kept in the
// data dir so that kubeconfigs written earlier stay valid across restarts.

import { execFile } from 'node:child_process';
import { webcrypto, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

type X509Lib = typeof import('@peculiar/x509');
let x509Lib: Promise<X509Lib> | undefined;

/**
 * The certificate library, loaded only when a certificate must be made: it is large (~15 MB of
 * memory), and a server whose certificates exist never needs it.
 */
function loadX509(): Promise<X509Lib> {
  x509Lib ??= (async () => {
    await import('reflect-metadata');
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as never);
    return lib;
  })();
  return x509Lib;
}

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface TlsMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const x509 = await loadX509();
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  const x509 = await loadX509();
  const der = x509.PemConverter.decode(pem)[0];
  return (await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign'])) as unknown as webcrypto.CryptoKey;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // a positive serial number
  return bytes.toString('hex');
}

async function generateCa(commonName: string): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as unknown as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

async function generateServingCert(ca: { certPem: string; keyPem: string }, hosts: string[], commonName = 'kijabi-apiserver'): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKeyPem(ca.keyPem);
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as unknown as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const names = hosts.map((host) => (isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${commonName}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** The host names and addresses the serving certificate must cover. */
export function servingHosts(bindAddress: string, extra: readonly string[] = []): string[] {
  const hosts = new Set(['localhost', '127.0.0.1', '::1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', hostname(), ...extra]);
  if (bindAddress && bindAddress !== '0.0.0.0' && bindAddress !== '::') hosts.add(bindAddress);
  return [...hosts];
}

/** Whether a certificate covers every host (read with Node's own X509 support). */
function sameHosts(certPem: string, hosts: string[]): boolean {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  const present = new Set(san.split(', ').map((entry) => canonicalHost(entry.replace(/^(DNS|IP Address):/, ''))));
  return hosts.every((h) => present.has(canonicalHost(h)));
}

/** IPv6 addresses in one spelling (Node prints SANs fully expanded: 0:0:0:0:0:0:0:1 for ::1). */
function canonicalHost(host: string): string {
  if (isIP(host) !== 6) return host;
  const [head, tail] = host.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':');
}

function tlsPaths(tlsDir: string) {
  return {
    caCert: join(tlsDir, 'server-ca.crt'),
    caKey: join(tlsDir, 'server-ca.key'),
    cert: join(tlsDir, 'serving-kube-apiserver.crt'),
    key: join(tlsDir, 'serving-kube-apiserver.key'),
  };
}

/** True when the CA and a serving certificate for exactly these hosts are already in `tlsDir`. */
function tlsFilesCurrent(tlsDir: string, hosts: string[]): boolean {
  const p = tlsPaths(tlsDir);
  return [p.caCert, p.caKey, p.cert, p.key].every((f) => existsSync(f)) && sameHosts(readFileSync(p.cert, 'utf8'), hosts);
}

/**
 * Creates what is missing in `tlsDir`: the CA once, and a serving certificate (from the same CA)
 * whenever the wanted host names changed.
 */
export async function writeTlsFiles(tlsDir: string, hosts: string[]): Promise<void> {
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const p = tlsPaths(tlsDir);
  let ca: { certPem: string; keyPem: string };
  if (existsSync(p.caCert) && existsSync(p.caKey)) {
    ca = { certPem: readFileSync(p.caCert, 'utf8'), keyPem: readFileSync(p.caKey, 'utf8') };
  } else {
    ca = await generateCa(`kijabi-server-ca@${Math.floor(Date.now() / 1000)}`);
    writeFileSync(p.caKey, ca.keyPem, { mode: 0o600 });
    writeFileSync(p.caCert, ca.certPem);
  }
  if (existsSync(p.cert) && existsSync(p.key) && sameHosts(readFileSync(p.cert, 'utf8'), hosts)) return;
  const serving = await generateServingCert(ca, hosts);
  writeFileSync(p.key, serving.keyPem, { mode: 0o600 });
  writeFileSync(p.cert, serving.certPem);
}

/**
 * Loads the CA and serving certificate from `tlsDir`, making what is missing first. Certificates
 * are made by a short-lived child process (tls-tool.ts), so the server itself never loads the
 * certificate library; a restart with certificates in place makes nothing.
 */
export async function ensureTls(tlsDir: string, hosts: string[]): Promise<TlsMaterial> {
  if (!tlsFilesCurrent(tlsDir, hosts)) {
    const tool = fileURLToPath(new URL('./tls-tool.js', import.meta.url));
    await promisify(execFile)(process.execPath, [tool, tlsDir, JSON.stringify(hosts)], { timeout: 60_000 });
  }
  const p = tlsPaths(tlsDir);
  return { caCertPem: readFileSync(p.caCert, 'utf8'), certPem: readFileSync(p.cert, 'utf8'), keyPem: readFileSync(p.key, 'utf8') };
}

function agentCertPaths(tlsDir: string, commonName: string) {
  const base = commonName.replace(/[^A-Za-z0-9.-]/g, '_');
  return { cert: join(tlsDir, `${base}.crt`), key: join(tlsDir, `${base}.key`) };
}

/** Writes a serving certificate for a node agent, signed by the cluster CA in `tlsDir`. */
export async function writeAgentCert(tlsDir: string, hosts: string[], commonName: string): Promise<void> {
  const ca = { certPem: readFileSync(join(tlsDir, 'server-ca.crt'), 'utf8'), keyPem: readFileSync(join(tlsDir, 'server-ca.key'), 'utf8') };
  const cert = await generateServingCert(ca, hosts, commonName);
  const p = agentCertPaths(tlsDir, commonName);
  writeFileSync(p.key, cert.keyPem, { mode: 0o600 });
  writeFileSync(p.cert, cert.certPem);
}

/**
 * A serving certificate for `hosts` signed by the cluster CA in `tlsDir` (for node agents' streaming
 * servers, which the API server verifies against that CA). Kept beside the CA and re-issued (by the
 * child process, as in ensureTls) only when the host names change.
 */
export async function issueServingCert(tlsDir: string, hosts: string[], commonName: string): Promise<{ certPem: string; keyPem: string }> {
  const p = agentCertPaths(tlsDir, commonName);
  if (!(existsSync(p.cert) && existsSync(p.key) && sameHosts(readFileSync(p.cert, 'utf8'), hosts))) {
    const tool = fileURLToPath(new URL('./tls-tool.js', import.meta.url));
    await promisify(execFile)(process.execPath, [tool, tlsDir, JSON.stringify(hosts), commonName], { timeout: 60_000 });
  }
  return { certPem: readFileSync(p.cert, 'utf8'), keyPem: readFileSync(p.key, 'utf8') };
}

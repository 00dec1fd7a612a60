// The cluster CA and the API server's serving certificate, made on first start and kept in the
// data dir so that kubeconfigs written earlier stay valid across restarts.

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as never);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface TlsMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  return (await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign'])) as unknown as webcrypto.CryptoKey;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // a positive serial number
  return bytes.toString('hex');
}

async function generateCa(commonName: string): Promise<{ certPem: string; keyPem: string }> {
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

function sameHosts(certPem: string, hosts: string[]): boolean {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return false;
  const present = new Set(san.names.items.map((n) => n.value));
  return hosts.every((h) => present.has(h));
}

/**
 * Loads the CA and serving certificate from `tlsDir`, creating what is missing. The serving
 * certificate is re-issued (by the same CA) when the wanted host names changed.
 */
export async function ensureTls(tlsDir: string, hosts: string[]): Promise<TlsMaterial> {
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const caCertPath = join(tlsDir, 'server-ca.crt');
  const caKeyPath = join(tlsDir, 'server-ca.key');
  const certPath = join(tlsDir, 'serving-kube-apiserver.crt');
  const keyPath = join(tlsDir, 'serving-kube-apiserver.key');
  let ca: { certPem: string; keyPem: string };
  if (existsSync(caCertPath) && existsSync(caKeyPath)) {
    ca = { certPem: readFileSync(caCertPath, 'utf8'), keyPem: readFileSync(caKeyPath, 'utf8') };
  } else {
    ca = await generateCa(`kijabi-server-ca@${Math.floor(Date.now() / 1000)}`);
    writeFileSync(caKeyPath, ca.keyPem, { mode: 0o600 });
    writeFileSync(caCertPath, ca.certPem);
  }
  if (existsSync(certPath) && existsSync(keyPath) && sameHosts(readFileSync(certPath, 'utf8'), hosts)) {
    return { caCertPem: ca.certPem, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  }
  const serving = await generateServingCert(ca, hosts);
  writeFileSync(keyPath, serving.keyPem, { mode: 0o600 });
  writeFileSync(certPath, serving.certPem);
  return { caCertPem: ca.certPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

/**
 * A serving certificate for `hosts` signed by the cluster CA in `tlsDir` (for node agents' streaming
 * servers, which the API server verifies against that CA). Not stored: agents issue one per start.
 */
export async function issueServingCert(tlsDir: string, hosts: string[], commonName: string): Promise<{ certPem: string; keyPem: string }> {
  const ca = { certPem: readFileSync(join(tlsDir, 'server-ca.crt'), 'utf8'), keyPem: readFileSync(join(tlsDir, 'server-ca.key'), 'utf8') };
  return generateServingCert(ca, hosts, commonName);
}

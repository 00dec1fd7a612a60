// Child process that makes certificates, so the server never loads the certificate library:
//   node tls-tool.js DIR HOSTS_JSON              the cluster CA and the API server's certificate
//   node tls-tool.js DIR HOSTS_JSON COMMON_NAME  a node agent's serving certificate from that CA
import { writeAgentCert, writeTlsFiles } from './certs.js';

const [dir, hostsJson, commonName] = process.argv.slice(2);
if (!dir || !hostsJson) {
  process.stderr.write('usage: tls-tool.js TLS_DIR HOSTS_JSON [COMMON_NAME]\n');
  process.exit(2);
}
const hosts = JSON.parse(hostsJson) as string[];
if (commonName) await writeAgentCert(dir, hosts, commonName);
else await writeTlsFiles(dir, hosts);

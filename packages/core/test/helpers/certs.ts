/**
 * Certificates for TLS tests, made with openssl at test time: a CA, server certificates signed
 * by it (with the names a test asks for), client certificates (plain, with an encrypted key),
 * and a second, unrelated CA to be refused. EC P-256 keys, valid for two days.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 60_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`openssl ${args[0]} failed: ${stderr}`)) : resolve()));
  });
}

export interface CertPair {
  cert: string;
  key: string;
}

export interface CertSet {
  dir: string;
  /** Path of a file in the set. */
  path(name: string): string;
  read(name: string): string;
  /** A CA (cert + key paths) named `name`. */
  ca(name: string): Promise<CertPair>;
  /** A certificate signed by `ca` for `cn` with these subject alternative names (`DNS:x`, `IP:y`). */
  issue(ca: CertPair, name: string, cn: string, altNames?: string[]): Promise<CertPair>;
  /** The key of `pair`, encrypted with `passphrase` (PKCS#8, AES-256). */
  encryptKey(pair: CertPair, name: string, passphrase: string): Promise<string>;
  remove(): void;
}

export function certSet(prefix: string): CertSet {
  const dir = mkdtempSync(join(tmpdir(), `celeriac-${prefix}-certs-`));
  chmodSync(dir, 0o755); // the broker runs as its own user and must read its certificate
  const path = (name: string) => join(dir, name);
  const readable = (...files: string[]) => files.forEach((f) => chmodSync(path(f), 0o644));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  return {
    dir,
    path,
    read: (name) => readFileSync(path(name), 'utf8'),
    async ca(name) {
      await openssl(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=Celeriac test CA ${name}`], dir);
      readable(`${name}.key`, `${name}.pem`);
      return { cert: path(`${name}.pem`), key: path(`${name}.key`) };
    },
    async issue(ca, name, cn, altNames = []) {
      await openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
      writeFileSync(path(`${name}.ext`), altNames.length > 0 ? `subjectAltName=${altNames.join(',')}\n` : 'basicConstraints=CA:FALSE\n');
      await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
      readable(`${name}.key`, `${name}.pem`);
      return { cert: path(`${name}.pem`), key: path(`${name}.key`) };
    },
    async encryptKey(pair, name, passphrase) {
      writeFileSync(path(`${name}.pass`), passphrase);
      await openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', pair.key, '-out', `${name}.key`, '-passout', `file:${name}.pass`], dir);
      readable(`${name}.key`);
      return path(`${name}.key`);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

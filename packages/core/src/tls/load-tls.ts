/**
 * Turns TlsOptions into the options Node's `tls.connect` takes, reading every file when a
 * connection opens (so renewed certificates are picked up on the next reconnect) and checking
 * what can be checked before any byte is sent: each CA and certificate parses and is within its
 * dates, the key opens with the passphrase, and the key belongs to the certificate. Each
 * problem is one `TlsError` line naming the file and the check.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { TlsError } from '../errors/broker-errors.js';
import { describeSource, pemBlocks, readPem, readSecret } from './secret-source.js';
import type { PemSource, TlsOptions, TlsVerify } from './tls-options.js';

/** Node's options plus what an error explanation needs to name. */
export interface LoadedTls {
  options: ConnectionOptions;
  verify: TlsVerify;
  /** `the CA in /etc/ca.pem`, or `Node's bundled public CAs`. */
  caLabel: string;
  /** The client certificate's source, or null without one. */
  certLabel: string | null;
}

export function loadTls(tls: TlsOptions, env: NodeJS.ProcessEnv = process.env, now = new Date()): LoadedTls {
  try {
    return load(tls, env, now);
  } catch (err) {
    const e = err as Error;
    throw new TlsError(`TLS: ${e.message}`, { cause: e });
  }
}

function load(tls: TlsOptions, env: NodeJS.ProcessEnv, now: Date): LoadedTls {
  const verify = tls.verify ?? 'full';
  if (verify !== 'full' && verify !== 'chain' && verify !== 'none') throw new TlsError(`tls.verify must be 'full', 'chain' or 'none', not '${String(verify)}'`);
  const options: ConnectionOptions = { minVersion: tls.minVersion ?? 'TLSv1.2' };
  const cas = tls.ca === undefined ? [] : Array.isArray(tls.ca) ? (tls.ca as readonly PemSource[]) : [tls.ca as PemSource];
  if (cas.length > 0) options.ca = cas.flatMap((source) => readCa(source, env, now));
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TlsError(tls.cert === undefined ? 'a TLS key was given without its client certificate: set tls.cert too' : 'a client certificate needs its private key: set tls.key too');
  }
  if (tls.cert !== undefined && tls.key !== undefined) {
    const passphrase = tls.passphrase === undefined ? undefined : readSecret(tls.passphrase, 'TLS key passphrase', env);
    const { cert, key } = readPair(tls.cert, tls.key, passphrase, env, now);
    options.cert = cert;
    options.key = key;
    if (passphrase !== undefined) options.passphrase = passphrase;
  }
  if (tls.servername !== undefined) options.servername = tls.servername;
  if (verify === 'none') options.rejectUnauthorized = false;
  if (verify === 'chain') options.checkServerIdentity = () => undefined;
  return {
    options,
    verify,
    caLabel: cas.length === 0 ? "Node's bundled public CAs" : `the CA in ${cas.map((c) => describeSource(c, env)).join(', ')}`,
    certLabel: tls.cert === undefined ? null : describeSource(tls.cert, env),
  };
}

function readCa(source: PemSource, env: NodeJS.ProcessEnv, now: Date): string[] {
  const label = describeSource(source, env);
  const blocks = pemBlocks(readPem(source, 'CA file', env), 'CERTIFICATE');
  if (blocks.length === 0) throw new TlsError(`the CA ${label} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const block of blocks) checkDates(parse(block, `the CA ${label}`), `the CA certificate in ${label}`, now);
  return blocks;
}

function readPair(certSource: PemSource, keySource: PemSource, passphrase: string | undefined, env: NodeJS.ProcessEnv, now: Date): { cert: string; key: string } {
  const certLabel = describeSource(certSource, env);
  const keyLabel = describeSource(keySource, env);
  const cert = readPem(certSource, 'client certificate', env);
  const blocks = pemBlocks(cert, 'CERTIFICATE');
  if (blocks.length === 0) throw new TlsError(`the client certificate ${certLabel} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const leaf = parse(blocks[0]!, `the client certificate ${certLabel}`);
  checkDates(leaf, `the client certificate ${certLabel}`, now);
  const key = readPem(keySource, 'TLS key', env);
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(passphrase === undefined ? { key, format: 'pem' } : { key, format: 'pem', passphrase });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MISSING_PASSPHRASE' || (passphrase === undefined && /ENCRYPTED/.test(key))) {
      throw new TlsError(`the key ${keyLabel} is encrypted and no passphrase was given: set tls.passphrase`);
    }
    if (passphrase !== undefined && /bad decrypt|wrong password|bad password/i.test(e.message)) {
      throw new TlsError(`the passphrase does not open the key ${keyLabel} (wrong passphrase)`);
    }
    throw new TlsError(`the key ${keyLabel} is not a PEM private key (${e.message.replace(/^error:[0-9A-F]+:/, '')})`);
  }
  if (!leaf.checkPrivateKey(keyObject)) throw new TlsError(`the key ${keyLabel} does not belong to the client certificate ${certLabel} (${subject(leaf)})`);
  return { cert, key };
}

function parse(pem: string, what: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsError(`${what} is not a valid certificate (${(err as Error).message.replace(/^error:[0-9A-F]+:/, '')})`);
  }
}

function checkDates(cert: X509Certificate, what: string, now: Date): void {
  if (new Date(cert.validTo).getTime() < now.getTime()) throw new TlsError(`${what} (${subject(cert)}) expired on ${new Date(cert.validTo).toISOString()}`);
  if (new Date(cert.validFrom).getTime() > now.getTime()) throw new TlsError(`${what} (${subject(cert)}) is not valid before ${new Date(cert.validFrom).toISOString()}`);
}

/** `CN=rabbit.example.com`, from a certificate's subject. */
export function subject(cert: X509Certificate): string {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  return cn ? `CN=${cn[1]}` : cert.subject.replace(/\n/g, ', ');
}

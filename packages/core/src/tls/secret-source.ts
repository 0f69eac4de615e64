/**
 * Reads secrets and PEM data from where the options say they are (inline, a file, an
 * environment variable), with errors (`ConfigurationError`) that name the source and never the
 * secret.
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors/task-errors.js';
import type { PemSource, SecretSource } from './tls-options.js';

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

/** Where a value came from, for error messages: `/etc/ca.pem`, `/etc/ca.pem (from $CA)`, `$CA_PEM`, `inline PEM`. */
export function describeSource(source: PemSource | SecretSource, env: NodeJS.ProcessEnv = process.env): string {
  if (Buffer.isBuffer(source)) return 'inline PEM';
  if (typeof source === 'string') return PEM.test(source) ? 'inline PEM' : source;
  if ('file' in source) return source.file;
  const value = env[source.env];
  return value && !PEM.test(value) ? `${value} (from $${source.env})` : `$${source.env}`;
}

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.code ?? e.message;
    throw new ConfigurationError(`cannot read the ${what} ${path}: ${why}`);
  }
}

function readEnv(name: string, what: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigurationError(`the ${what} should come from $${name}, which is not set`);
  return value;
}

/** A secret's value: trailing line breaks of a file are dropped, nothing else is changed. */
export function readSecret(source: SecretSource, what: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof source === 'string') return source;
  if ('file' in source) return readFile(source.file, what).replace(/\r?\n$/, '');
  return readEnv(source.env, what, env);
}

/**
 * PEM text from inline PEM, a file path, a Buffer, `{ file }` or `{ env }`. An environment
 * variable may hold the PEM itself (line breaks written as `\n` are accepted) or a file path.
 */
export function readPem(source: PemSource, what: string, env: NodeJS.ProcessEnv = process.env): string {
  if (Buffer.isBuffer(source)) return source.toString('utf8');
  if (typeof source === 'string') return PEM.test(source) ? source : readFile(source, what);
  if ('file' in source) return readFile(source.file, what);
  const value = readEnv(source.env, what, env);
  if (PEM.test(value)) return value.includes('\n') ? value : value.replace(/\\n/g, '\n');
  return readFile(value, what);
}

/** The PEM blocks of one kind (`CERTIFICATE`) in a text, each with its BEGIN/END lines. */
export function pemBlocks(text: string, kind: string): string[] {
  const re = new RegExp(`-----BEGIN ${kind}-----[\\s\\S]*?-----END ${kind}-----`, 'g');
  return text.match(re) ?? [];
}

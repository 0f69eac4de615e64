/**
 * A private RabbitMQ node with a TLS listener, for the TLS tests: certificates made by the test
 * (a CA, a server certificate for `rabbit.test` and `localhost` only, so connecting to
 * 127.0.0.1 needs `servername`), peer verification on (a client certificate is optional but,
 * if sent, must be signed by the CA), and the EXTERNAL mechanism (rabbitmq_auth_mechanism_ssl)
 * with the user name taken from the certificate's CN. Ports 5710 (plain) and 5711 (TLS): the
 * chaos suite uses 5700-5703.
 */
import { startRabbitNode, type RabbitNode } from '../chaos/rabbit-node.js';
import { certSet, type CertPair, type CertSet } from './certs.js';

export const TLS_RABBIT_PORT = 5710;
export const TLS_RABBIT_TLS_PORT = 5711;

export interface TlsRabbit {
  node: RabbitNode;
  certs: CertSet;
  ca: CertPair;
  /** amqps://guest:guest@127.0.0.1:5711 (the certificate names rabbit.test and localhost, not 127.0.0.1). */
  url: string;
  stop(): Promise<void>;
}

export async function startTlsRabbit(): Promise<TlsRabbit> {
  const certs = certSet('tls-rabbit');
  const ca = await certs.ca('ca');
  const server = await certs.issue(ca, 'server', 'rabbit.test', ['DNS:rabbit.test', 'DNS:localhost']);
  const node = await startRabbitNode({
    name: 'celeriac-tls',
    port: TLS_RABBIT_PORT,
    plugins: ['rabbitmq_auth_mechanism_ssl'],
    config: [
      `listeners.ssl.default = 127.0.0.1:${TLS_RABBIT_TLS_PORT}`,
      `ssl_options.cacertfile = ${ca.cert}`,
      `ssl_options.certfile = ${server.cert}`,
      `ssl_options.keyfile = ${server.key}`,
      'ssl_options.verify = verify_peer',
      'ssl_options.fail_if_no_peer_cert = false',
      'auth_mechanisms.1 = PLAIN',
      'auth_mechanisms.2 = AMQPLAIN',
      'auth_mechanisms.3 = EXTERNAL',
      'ssl_cert_login_from = common_name',
    ].join('\n'),
  });
  return {
    node, certs, ca,
    url: `amqps://guest:guest@127.0.0.1:${TLS_RABBIT_TLS_PORT}`,
    async stop() {
      await node.stop();
      certs.remove();
    },
  };
}

// npm start (in this folder): the sample HTTP API on http://127.0.0.1:3000 (localhost only).
// Without AMQP_URL it runs on the memory broker with an in-process worker; with AMQP_URL on
// RabbitMQ (set WORKER=1 to also run a worker here, RESULT_BACKEND for redis://).
import { createServer } from './server.js';

const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT ?? 3000);

async function main(): Promise<void> {
  const server = await createServer();
  const listener = server.http.listen(PORT, HOST, () => {
    const where = `http://${HOST}:${PORT}`;
    console.log(`express producer on ${where} — broker ${server.app.broker.displayUrl}, worker ${server.worker ? server.worker.hostname : 'none (run one elsewhere)'}`);
    console.log(`dashboard: ${where}/admin/tasks/ (user admin, password ${process.env.ADMIN_TOKEN ? '$ADMIN_TOKEN' : server.adminToken})`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    listener.close();
    listener.closeAllConnections();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

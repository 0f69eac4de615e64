import { Logger } from '@nestjs/common';
import { AppConfig, startHttpApp, startWorker } from './bootstrap.js';

const config = AppConfig.fromEnv();
const logger = new Logger('Main');

if (config.role === 'worker') {
  await startWorker(config);
  logger.log(`worker on ${config.brokerUrl.startsWith('memory:') ? 'the memory broker' : 'RabbitMQ'}; Ctrl-C drains and exits`);
} else {
  await startHttpApp(config);
  logger.log(`${config.role === 'api' ? 'API only' : 'API and worker'} on http://${config.host}:${config.port} (${config.brokerUrl.startsWith('memory:') ? 'memory broker' : 'RabbitMQ'}); Ctrl-C drains and exits`);
}

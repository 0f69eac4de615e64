/** Builds the Nest application for a role; `main.ts` runs it, the test boots the built copy. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication, INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { AppModule } from './app.module.js';

export { AppConfig } from './app-config.js';

export interface StartOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** HTTP API (roles `all` and `api`), listening on `config.host` only. */
export async function startHttpApp(config: AppConfig, options: StartOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { ...(options.logger !== undefined ? { logger: options.logger } : {}) });
  // SIGTERM / SIGINT run the shutdown hooks: the worker drains, then the broker connection closes
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  return app;
}

/** Worker only (role `worker`): no HTTP server, just the consumers. */
export async function startWorker(config: AppConfig, options: StartOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { ...(options.logger !== undefined ? { logger: options.logger } : {}) });
  app.enableShutdownHooks();
  await app.init();
  return app;
}

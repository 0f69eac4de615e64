import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigurationError, createApp, type CeleriacApp } from '@celeriac/core';
import { loadBeat } from './beat/beat-loader.js';
import { CELERIAC_APP, CELERIAC_BEAT_LOADER, CELERIAC_LOGGED_FAILURES } from './celeriac.constants.js';
import { nestLoggerFor } from './celeriac-logger.js';
import { CeleriacConfigurableModule, CELERIAC_MODULE_OPTIONS } from './celeriac.module-definition.js';
import { TaskExplorer } from './discovery/task-explorer.js';
import type { CeleriacModuleOptions } from './interfaces/celeriac-module-options.interface.js';
import { WorkerLifecycleService } from './lifecycle/worker-lifecycle.service.js';
import { NestLoggedFailures } from './logged-failures.js';

/**
 * The Celeriac app as a Nest module.
 *
 * @example
 * CeleriacModule.forRoot({ broker: 'amqp://localhost', backend: 'rpc://', worker: { concurrency: 4 } })
 * CeleriacModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ broker: config.get('AMQP_URL'), worker: false }) })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: CELERIAC_LOGGED_FAILURES, useFactory: () => new NestLoggedFailures() },
    { provide: CELERIAC_APP, useFactory: createCeleriacApp, inject: [CELERIAC_MODULE_OPTIONS, CELERIAC_LOGGED_FAILURES] },
    { provide: CELERIAC_BEAT_LOADER, useValue: loadBeat },
    TaskExplorer,
    WorkerLifecycleService,
  ],
  exports: [CELERIAC_APP, WorkerLifecycleService],
})
export class CeleriacModule extends CeleriacConfigurableModule {}

/** The app given in the options, or a new one that logs through Nest's logger. */
export function createCeleriacApp(options: CeleriacModuleOptions, nestLogged?: NestLoggedFailures): CeleriacApp {
  if (options.app) {
    if (options.broker !== undefined || options.backend !== undefined || options.appOptions !== undefined) {
      throw new ConfigurationError('CeleriacModule: pass either `app` or `broker` / `backend` / `appOptions`, not both');
    }
    return options.app;
  }
  return createApp({
    logger: nestLoggerFor('Celeriac', nestLogged),
    ...options.appOptions,
    ...(options.broker !== undefined ? { broker: options.broker } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
  });
}

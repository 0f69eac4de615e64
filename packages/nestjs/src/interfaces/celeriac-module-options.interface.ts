import type { AppOptions, CeleriacApp, WorkerOptions } from '@celeriac/core';

/** Worker settings; signals are Nest's job (`app.enableShutdownHooks()`), so `handleSignals` is left out. */
export type CeleriacWorkerOptions = Omit<WorkerOptions, 'handleSignals'>;

/**
 * Settings passed to `createBeat(app, ...)` of `@celeriac/beat`. The entries declared with
 * `@Periodic()` are merged into `schedule`.
 */
export interface CeleriacBeatOptions {
  /** Extra entries, in `@celeriac/beat`'s format, next to the ones declared with `@Periodic()`. @defaultValue {} */
  schedule?: Record<string, unknown>;
  /** Any other option of `createBeat` is passed through unchanged. */
  [option: string]: unknown;
}

/** Options of `CeleriacModule.forRoot()` / the factory of `forRootAsync()`. */
export interface CeleriacModuleOptions {
  /**
   * Broker URL (`memory://`, `amqp://user:pass@host:5672/vhost`) or instance; wins over
   * `appOptions.broker`. Not allowed together with `app`.
   * @defaultValue 'memory://'
   */
  broker?: AppOptions['broker'];
  /**
   * Result backend (`memory://`, `rpc://`, `redis://…`, an instance, or null); wins over
   * `appOptions.backend`. Not allowed together with `app`.
   * @defaultValue 'rpc://'
   */
  backend?: AppOptions['backend'];
  /** The other options of `createApp()` (routes, default queue, serializer...). @defaultValue {} */
  appOptions?: AppOptions;
  /**
   * An app you created yourself. The module uses it as it is and never closes it: you do.
   * @defaultValue undefined (the module creates the app and closes it on shutdown)
   */
  app?: CeleriacApp;
  /**
   * Worker options, or `false` for an API-only process where no consumer starts. Without
   * `queues`, the worker consumes the app's default queue plus every queue named by the
   * `queue` option of a registered task.
   * @defaultValue {}
   */
  worker?: false | CeleriacWorkerOptions;
  /**
   * Run `@celeriac/beat` in this process with the entries declared by `@Periodic()`. Enable it
   * in one process of the deployment; `@celeriac/beat` must be installed.
   * @defaultValue false
   */
  beat?: boolean | CeleriacBeatOptions;
}

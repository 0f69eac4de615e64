import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CeleriacModuleOptions } from './interfaces/celeriac-module-options.interface.js';

/**
 * `forRoot(options)` and `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`,
 * both with `isGlobal`.
 */
export const {
  ConfigurableModuleClass: CeleriacConfigurableModule,
  MODULE_OPTIONS_TOKEN: CELERIAC_MODULE_OPTIONS,
  OPTIONS_TYPE: CELERIAC_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CELERIAC_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CeleriacModuleOptions>({ moduleName: 'Celeriac' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCeleriacOptions')
  .setExtras<{ isGlobal?: boolean }>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** What `forRootAsync()` takes: `imports`, `inject`, `useFactory` / `useClass` / `useExisting`, `isGlobal`. */
export type CeleriacModuleAsyncOptions = typeof CELERIAC_ASYNC_OPTIONS_TYPE;

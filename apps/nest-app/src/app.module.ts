import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CeleriacModule } from '@celeriac/nestjs';
import { AppConfig } from './app-config.js';
import { TasksModule } from './tasks/tasks.module.js';

@Global()
@Module({})
class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CeleriacModule.forRootAsync({
          isGlobal: true,
          inject: [AppConfig],
          useFactory: (c: AppConfig) => ({
            broker: c.brokerUrl,
            backend: c.resultBackend,
            appOptions: { defaultQueue: c.queue },
            // an API pod sends and reads results; only worker pods consume
            worker: c.role === 'api' ? false : { concurrency: c.concurrency, shutdownTimeout: c.shutdownTimeoutMs },
          }),
        }),
        TasksModule,
      ],
    };
  }
}

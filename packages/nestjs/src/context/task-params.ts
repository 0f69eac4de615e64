/**
 * Where task parameters come from. Parameter decorators store `{ index, data, pipes, schema }`
 * under Nest's param key; at run time `ExternalContextCreator` asks `TaskParamsFactory` for each
 * value, then runs the pipes on it.
 */
import type { ParamData, ParameterDecoratorOptions, PipeTransform, Type } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core';
import { currentTask } from '@celeriac/core';
import { PARAM_ARGS_METADATA } from '../celeriac.constants.js';

/**
 * Kinds of task parameters. The numbers are Nest's own (`RouteParamtypes`), as Nest's
 * microservices do for `@Payload()`: pipes then see positional arguments as `type: 'body'`
 * and keyword arguments as `'query'`, so `ValidationPipe` and `StandardSchemaValidationPipe`
 * validate them by default, and the context as `'custom'`, which they skip.
 */
export const TaskParamtype = {
  /** `data`: a position, or undefined for the whole array. */
  ARGS: 3,
  /** `data`: a keyword, or undefined for the whole object. */
  KWARGS: 4,
  CONTEXT: 6,
} as const;
export type TaskParamtype = (typeof TaskParamtype)[keyof typeof TaskParamtype];

/** A pipe (class or instance) or `{ schema, pipes }`, as Nest's own parameter decorators take. */
export type TaskParamOption = Type<PipeTransform> | PipeTransform | ParameterDecoratorOptions;

/** `args` are the host arguments: the task's positional arguments. */
export class TaskParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData | undefined, args: unknown[]): unknown {
    switch (type) {
      case TaskParamtype.ARGS:
        return typeof data === 'number' ? args[data] : args;
      case TaskParamtype.KWARGS: {
        const kwargs = currentTask().kwargs;
        return typeof data === 'string' ? kwargs[data] : kwargs;
      }
      case TaskParamtype.CONTEXT:
        return currentTask();
      default:
        return undefined;
    }
  }
}

interface StoredParam {
  index: number;
  data: ParamData | undefined;
  pipes: (Type<PipeTransform> | PipeTransform)[];
  schema?: ParameterDecoratorOptions['schema'];
}

/** A parameter decorator for `@Task` methods; `options` are pipes or `{ schema, pipes }` objects. */
export function taskParamDecorator(type: TaskParamtype, data: ParamData | undefined, options: readonly TaskParamOption[]): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) throw new TypeError('task parameter decorators go on the parameters of @Task methods, not on constructors');
    const pipes: StoredParam['pipes'] = [];
    let schema: StoredParam['schema'];
    for (const option of options) {
      if (isDecoratorOptions(option)) {
        schema ??= option.schema;
        pipes.push(...(option.pipes ?? []));
      } else {
        pipes.push(option);
      }
    }
    const inherited: Record<string, StoredParam> = Reflect.getMetadata(PARAM_ARGS_METADATA, target.constructor, key) ?? {};
    // a decorator on an overriding method replaces what the parent declared at the same index
    const params = Object.fromEntries(Object.entries(inherited).filter(([, p]) => p.index !== index));
    const param: StoredParam = { index, data, pipes, ...(schema !== undefined ? { schema } : {}) };
    Reflect.defineMetadata(PARAM_ARGS_METADATA, { ...params, [`${type}:${index}`]: param }, target.constructor, key);
  };
}

function isDecoratorOptions(option: TaskParamOption): option is ParameterDecoratorOptions {
  if (typeof option !== 'object' || option === null) return false;
  if (typeof (option as Partial<PipeTransform>).transform === 'function') return false;
  return 'schema' in option || 'pipes' in option;
}

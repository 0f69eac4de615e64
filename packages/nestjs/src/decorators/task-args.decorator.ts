import { TaskParamtype, taskParamDecorator, type TaskParamOption } from '../context/task-params.js';

/**
 * The positional argument at `index` (keyword arguments named in the task's `params` option
 * are already placed at their positions). Pipes and `{ schema }` run on it, so
 * `@Arg(0, ParseIntPipe)` or `@Arg(0, { schema })` with a `StandardSchemaValidationPipe`
 * validate the payload.
 */
export function Arg(index = 0, ...options: TaskParamOption[]): ParameterDecorator {
  if (!Number.isInteger(index) || index < 0) throw new TypeError(`@Arg() needs a position >= 0, got ${String(index)}`);
  return taskParamDecorator(TaskParamtype.ARGS, index, options);
}

/** All positional arguments, as an array. */
export function Args(...options: TaskParamOption[]): ParameterDecorator {
  return taskParamDecorator(TaskParamtype.ARGS, undefined, options);
}

/** The keyword argument `name`, e.g. from Python's `apply_async(kwargs={'to': ...})`. */
export function Kwarg(name: string, ...options: TaskParamOption[]): ParameterDecorator {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('@Kwarg() needs a keyword name');
  return taskParamDecorator(TaskParamtype.KWARGS, name, options);
}

/** All keyword arguments, as an object. */
export function Kwargs(...options: TaskParamOption[]): ParameterDecorator {
  return taskParamDecorator(TaskParamtype.KWARGS, undefined, options);
}

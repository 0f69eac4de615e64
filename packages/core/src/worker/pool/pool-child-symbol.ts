/** The property of an app through which a pool child finds the task runner of that app's copy of `@celeriac/core`. @internal */
export const POOL_CHILD = Symbol.for('celeriac.pool-child');

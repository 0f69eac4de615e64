// @celeriac/otel — OpenTelemetry tracing through Celery messages, shared with Python's instrumentation.
export { celeriacOtel, type CeleriacOtelOptions } from './celeriac-otel.js';
export { celeryGetter, celerySetter } from './carrier.js';
export { ATTR, ACTION_APPLY_ASYNC, ACTION_RUN } from './attributes.js';

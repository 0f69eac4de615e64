/**
 * What `inspect conf` and `inspect report` answer, as Celery does (`celery/worker/control.py`,
 * `celery/app/utils.py`): the worker's settings under Celery's setting names, only those that
 * differ from Celery's defaults unless `with_defaults` is asked, with secrets censored the way
 * Celery censors them (keys matching API, TOKEN, KEY, SECRET, PASS, SIGNATURE or DATABASE
 * become `********`; passwords in broker and backend URLs are masked). Flower asks for `conf`
 * on every worker page.
 */
import { arch, release, type } from 'node:os';
import type { ControlledWorker } from './controlled-worker.js';
import { VERSION as SW_VERSION } from '../version.js';
import { celeryTlsSetting } from '../tls/celery-tls-setting.js';

const MASK = '********';
/** celery.app.utils.HIDDEN_SETTINGS */
const HIDDEN = /API|TOKEN|KEY|SECRET|PASS|PROFANITIES_LIST|SIGNATURE|DATABASE/i;

interface Setting {
  value: unknown;
  /** Celery's default: settings equal to it are left out unless `with_defaults`. */
  celeryDefault: unknown;
}

/** The worker's settings under Celery's names, each with Celery's default. */
function settings(worker: ControlledWorker): Record<string, Setting> {
  const { app, options } = worker;
  const o = app.options;
  const s = (value: unknown, celeryDefault: unknown): Setting => ({ value: value === undefined ? null : value, celeryDefault });
  const native = o.nativeDelayedDelivery;
  return {
    broker_url: s(brokerUrl(o.broker, app.broker.displayUrl), null),
    result_backend: s(typeof o.backend === 'string' ? o.backend : o.backend === null ? 'disabled' : `${app.backend.kind}://`, null),
    task_default_queue: s(o.defaultQueue, 'celery'),
    task_serializer: s(o.serializer, 'json'),
    accept_content: s([...(o.accept ?? ['json'])], ['json']),
    result_expires: s(o.resultExpires, 86_400),
    task_queue_max_priority: s(o.queueMaxPriority, null),
    task_default_queue_type: s(o.quorumQueues ? 'quorum' : 'classic', 'classic'),
    broker_native_delayed_delivery_queue_type: s(native === false ? null : native?.queueType ?? 'quorum', 'quorum'),
    task_routes: s(o.routes ?? null, null),
    timezone: s(o.timezone ?? 'UTC', null),
    control_exchange: s(o.controlExchange, 'celery'),
    event_exchange: s(o.eventExchange, 'celeryev'),
    task_send_sent_event: s(o.sendSentEvent ?? false, false),
    broker_heartbeat: s(o.amqp?.heartbeat ?? 10, 120),
    broker_use_ssl: s(celeryTlsSetting(o.amqp?.tls, /^amqps:/i.test(app.broker.displayUrl)), false),
    broker_login_method: s(o.amqp?.loginMethod ?? null, null),
    redis_backend_use_ssl: s(celeryTlsSetting(o.redis?.tls, typeof o.backend === 'string' && /^rediss:/i.test(o.backend)), false),
    worker_concurrency: s(options.concurrency, null),
    worker_pool: s(options.pool, 'prefork'),
    worker_max_tasks_per_child: s(options.maxTasksPerChild, null),
    worker_max_memory_per_child: s(options.maxMemoryPerChild, null),
    task_time_limit: s(options.timeLimit, null),
    task_soft_time_limit: s(options.softTimeLimit, null),
    task_reject_on_worker_lost: s(options.rejectOnWorkerLost, null),
    worker_soft_shutdown_timeout: s(options.softShutdownTimeout, 0),
    worker_enable_soft_shutdown_on_idle: s(options.softShutdownOnIdle, false),
    worker_prefetch_multiplier: s(options.concurrency > 0 ? options.prefetch / options.concurrency : 0, 4),
    task_acks_late: s(options.acksLate, false),
    worker_send_task_events: s(options.sendEvents, false),
    worker_enable_remote_control: s(options.control, true),
  };
}

/** `inspect conf [with_defaults]`: `{setting: value}`, censored. */
export function confTable(worker: ControlledWorker, withDefaults: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, { value, celeryDefault }] of Object.entries(settings(worker))) {
    if (!withDefaults && sameValue(value, celeryDefault)) continue;
    out[key] = jsonable(value);
  }
  return censorSettings(out);
}

/** Celery's `filter_hidden_settings`: secrets by key name, passwords inside broker and backend URLs. Pure. */
export function censorSettings(conf: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(conf)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) out[key] = censorSettings(value as Record<string, unknown>);
    else if (HIDDEN.test(key)) out[key] = MASK;
    else if (/broker_url|backend/i.test(key)) out[key] = maskUrls(value);
    else out[key] = value;
  }
  return out;
}

/** `inspect report`: Celery's bug-report text (software, platform, settings), as `{ok: text}`. */
export function bugReport(worker: ControlledWorker): { ok: string } {
  const conf = confTable(worker, false);
  const results = conf.result_backend ?? 'disabled';
  const lines = [
    `software -> celeriac:${SW_VERSION} node:${process.versions.node}`,
    `platform -> system:${type()} arch:${arch()}`,
    `            kernel version:${release()} imp:Node.js`,
    'loader   -> celeriac',
    `settings -> transport:${worker.app.broker.kind} results:${String(results)}`,
    '',
    ...Object.entries(conf).map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}`),
    '',
  ];
  return { ok: lines.join('\n') };
}

function brokerUrl(broker: unknown, display: string): string {
  if (typeof broker === 'string') return broker;
  if (Array.isArray(broker)) return broker.join(';');
  return display;
}

/** `amqp://user:pw@host` → `amqp://user:********@host`, for every URL in a `;`-joined list. */
function maskUrls(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:@/;\s]*:)([^@;\s]*)@/gi, (_m, head: string) => `${head}${MASK}@`);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Functions (route callbacks) and other values JSON cannot carry become a short description. */
function jsonable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'function' ? `<function ${(v as { name?: string }).name || 'anonymous'}>` : typeof v === 'bigint' ? v.toString() : v instanceof RegExp ? String(v) : v)) ?? 'null') as unknown;
}

// @celeriac/beat — periodic tasks for Celeriac: intervals, crontabs with time zones, one-offs;
// state that survives restarts; one active beat per cluster, elected on RabbitMQ.

// the beat
export { Beat, createBeat, type BeatEntryStatus } from './beat.js';
export { BEAT_DEFAULTS, type BeatOptions } from './beat-options.js';
export type { BeatEvents, BeatRun, BeatState, SentRun } from './beat-events.js';
export type { BeatEntry, CatchUpPolicy, EntryOptions, ResolvedEntry } from './entry.js';
export { runBeatFromModule, loadBeat, type RunBeatOptions } from './run-beat.js';

// schedules
export type { Schedule, ScheduleContext } from './schedules/schedule.js';
export { every, EverySchedule } from './schedules/every.js';
export { crontab, CrontabSchedule, type CrontabOptions } from './schedules/crontab.js';
export type { CronField, CrontabFields } from './schedules/cron-fields.js';
export { at, AtSchedule } from './schedules/at.js';

// the tick, as a pure function
export { planTick, type TickInput, type TickPlan, type TickEntry, type DueRun } from './tick.js';

// state stores
export type { ScheduleStore, EntryState } from './store/schedule-store.js';
export { MemoryStore } from './store/memory-store.js';
export { FileStore, type FileStoreOptions } from './store/file-store.js';
export { RedisStore, type RedisStoreOptions, type RedisStoreClient } from './store/redis-store.js';

// leader election
export type { LeaderLock, LeaderLockEvents } from './leader/leader-lock.js';
export { LocalLock } from './leader/local-lock.js';
export { RabbitMqLock, RABBITMQ_LOCK_DEFAULTS, lockQueueName, type RabbitMqLockOptions } from './leader/rabbitmq-lock.js';

// errors
export { BeatError, BeatErrorCode, ScheduleConfigError, ScheduleStoreError, LeaderLockError, ScheduledSendError } from './errors.js';

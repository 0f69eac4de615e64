/**
 * What a broker's connection does, in the app's log: errors, connection loss with the reason
 * (no password: brokers scrub it), failed reconnects (the 1st, 10th, 100th… of an outage, so a
 * long one does not flood the log), recovery, consumers the broker cancelled, and warnings
 * (declarations refused for lack of permission, TLS verification turned off).
 */
import type { Logger } from '../util/logger.js';
import type { Broker } from './broker.js';

export function logBrokerEvents(broker: Broker, logger: Logger): void {
  const { events } = broker;
  let lostAt = 0;
  events.on('error', (err) => logger.error(`broker: ${err.message}`));
  events.on('warning', (message) => logger.warn(`broker: ${message}`));
  events.on('disconnected', (err) => {
    lostAt = Date.now();
    logger.warn(`broker: connection to ${broker.displayUrl} lost (${err?.message ?? 'closed'}); reconnecting`);
  });
  events.on('reconnect-failed', (attempt, err) => {
    if (Number.isInteger(Math.log10(attempt))) logger.warn(`broker: reconnect attempt ${attempt} failed: ${err.message}`);
  });
  events.on('reconnected', (attempts) => {
    logger.warn(`broker: reconnected after ${attempts} attempt${attempts === 1 ? '' : 's'} (${((Date.now() - lostAt) / 1000).toFixed(1)} s offline)`);
  });
  events.on('consumer-cancelled', (queue) => logger.warn(`broker: the broker cancelled the consumer of ${queue}; consuming it again`));
}

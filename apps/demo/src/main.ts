// npm start: a producer sends tasks, a worker runs them, results come back and are printed.
// Without AMQP_URL everything runs in this process on the embedded memory broker.
import { chain, RemoteTaskError } from '@celeriac/core';
import { add, app, explode, flaky, slowSquare, wordCount } from './tasks.js';

async function main(): Promise<void> {
  const worker = app.worker({ concurrency: 4 });
  await worker.start();
  console.log(`celeriac demo — broker ${app.broker.displayUrl}, results ${app.backend.kind}://, worker ${worker.hostname}\n`);

  const r1 = await add.delay(2, 3);
  console.log(`add(2, 3)                  = ${await r1.get({ timeout: 10_000 })}`);

  const r2 = await app.sendTask<number>('demo.add', [], { x: 40, y: 2 });
  console.log(`sendTask kwargs {x:40,y:2} = ${await r2.get({ timeout: 10_000 })}`);

  const r3 = await wordCount.delay('the quick brown fox jumps over the lazy dog');
  console.log(`word_count(...)            = ${await r3.get({ timeout: 10_000 })}`);

  const squares = await Promise.all([1, 2, 3, 4, 5].map((n) => slowSquare.delay(n)));
  const values = await Promise.all(squares.map((r) => r.get({ timeout: 10_000 })));
  console.log(`slow_square(1..5)          = ${values.map((v) => v.square).join(', ')}`);

  const c = await chain(add.s(1, 2), add.s(10), add.s(100)).applyAsync();
  console.log(`chain add(1,2)+10+100      = ${await c.get({ timeout: 10_000 })}`);

  const r4 = await flaky.applyAsync([], { countdown: 0.1 });
  console.log(`flaky (retries)            = ${await r4.get({ timeout: 10_000 })}`);

  const r5 = await explode.delay('demo failure');
  try {
    await r5.get({ timeout: 10_000 });
  } catch (err) {
    if (!(err instanceof RemoteTaskError)) throw err;
    console.log(`explode -> ${err.state}            ${err.excModule}.${err.excType}: ${err.excArgs[0]}`);
  }

  await worker.stop();
  await app.close();
  console.log('\ndone.');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

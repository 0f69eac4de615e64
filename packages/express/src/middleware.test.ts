import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '@celeriac/core';
import { celeriac } from './middleware.js';
import { silentLogger } from '../test/support.js';

describe('celeriac() middleware', () => {
  it('puts the app on req.celeriac so handlers enqueue and answer 202 at once', async () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: silentLogger });
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const worker = app.worker();
    await worker.start();
    const server = express();
    server.use(express.json());
    server.use(celeriac({ app }));
    server.post('/sum', async (req, res) => {
      const result = await req.celeriac.sendTask<number>('tasks.add', [req.body.x, req.body.y]);
      res.status(202).json({ id: result.id });
    });
    server.post('/sum-typed', async (req, res) => {
      const handle = req.celeriac.signature<[number, number], number>('tasks.add');
      const result = await handle.delay(req.body.x, req.body.y);
      res.status(202).json({ id: result.id });
    });
    server.get('/sum/:id', async (req, res) => {
      res.json({ state: await req.celeriac.asyncResult(req.params.id).state() });
    });
    const a = await request(server).post('/sum').send({ x: 2, y: 3 });
    expect(a.status).toBe(202);
    expect(await app.asyncResult<number>(a.body.id).get({ timeout: 2000 })).toBe(5);
    const b = await request(server).post('/sum-typed').send({ x: 4, y: 5 });
    expect(await app.asyncResult<number>(b.body.id).get({ timeout: 2000 })).toBe(9);
    expect((await request(server).get(`/sum/${a.body.id}`)).body).toEqual({ state: 'SUCCESS' });
    expect(add.name).toBe('tasks.add');
    await worker.stop();
    await app.close();
  });

  it('refuses to be built without an app', () => {
    expect(() => celeriac({} as never)).toThrow(/options.app must be a Celeriac app/);
  });
});

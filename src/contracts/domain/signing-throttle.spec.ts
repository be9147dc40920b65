import { AppError } from '../../common/errors/app-error';
import { SigningThrottle } from './signing-throttle';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SigningThrottle (EC-16)', () => {
  it('runs at most N at once, queues up to M, refuses the rest, then drains in order', async () => {
    const throttle = new SigningThrottle(2, 1);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      throttle.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(throttle.stats).toEqual({ running: 2, queued: 1 });
    const refused = await throttle.run(() => Promise.resolve(99)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('SIGNING_BUSY');
    expect((refused as AppError).status).toBe(503);
    gates[0].resolve();
    await runs[0];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates[1].resolve();
    gates[2].resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(throttle.stats).toEqual({ running: 0, queued: 0 });
  });

  it('frees the slot when a task fails', async () => {
    const throttle = new SigningThrottle(1, 0);
    await expect(throttle.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(throttle.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});

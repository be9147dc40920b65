import { SlidingWindowThrottlerStorage } from './sliding-window-throttler-storage';

describe('SlidingWindowThrottlerStorage', () => {
  let now = 1_000_000;
  const clock = () => now;
  let storage: SlidingWindowThrottlerStorage;
  const hit = (key = 'client', limit = 3, blockDuration = 60_000) =>
    storage.increment(key, 60_000, limit, blockDuration, 'default');

  beforeEach(() => {
    now = 1_000_000;
    storage = new SlidingWindowThrottlerStorage(clock);
  });
  afterEach(() => storage.onModuleDestroy());

  it('allows the limit, blocks the next request for the block duration, then counts afresh', async () => {
    for (let i = 1; i <= 3; i++) expect(await hit()).toMatchObject({ totalHits: i, isBlocked: false });
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    now += 30_000;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    now += 30_000;
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps clients apart', async () => {
    for (let i = 0; i < 3; i++) await hit('a');
    expect((await hit('a')).isBlocked).toBe(true);
    expect((await hit('b')).isBlocked).toBe(false);
  });

  it('weights the previous window by its overlap with the sliding window', async () => {
    for (let i = 0; i < 10; i++) await hit('c', 10);
    // Half of the next window later, half of the previous window's 10 hits still count.
    now += 90_000;
    expect(await hit('c', 10)).toMatchObject({ totalHits: 6, isBlocked: false });
    for (let i = 0; i < 4; i++) await hit('c', 10);
    expect((await hit('c', 10)).isBlocked).toBe(true);
  });

  it('forgets the previous window after two windows, and sweeps idle clients', async () => {
    for (let i = 0; i < 3; i++) await hit('d');
    now += 120_001;
    expect(await hit('d')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(storage.size).toBe(1);
    storage.sweep(now + 120_000);
    expect(storage.size).toBe(0);
  });

  it('without a block duration refuses only while over the limit', async () => {
    for (let i = 0; i < 3; i++) await hit('e', 3, 0);
    expect(await hit('e', 3, 0)).toMatchObject({ isBlocked: true });
    now += 120_000;
    expect((await hit('e', 3, 0)).isBlocked).toBe(false);
  });

  it('costs the same per request however many requests the window holds', async () => {
    // 200,000 hits in one window: with one stored entry per hit this would be quadratic.
    for (let i = 0; i < 200_000; i++) await hit('busy', 1_000_000);
    expect(storage.size).toBe(1);
    expect((await hit('busy', 1_000_000)).totalHits).toBe(200_001);
  });
});

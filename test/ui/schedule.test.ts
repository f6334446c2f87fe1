import { describe, expect, it } from 'vitest';
import { InferenceScheduler, SUPERSEDED } from '../../ui/schedule.js';

/** A task whose completion the test controls. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('InferenceScheduler (hover coalescing)', () => {
  it('runs one task at a time and decodes only the newest hover while one is in flight', async () => {
    const s = new InferenceScheduler();
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const task = (name: string) => () => {
      started.push(name);
      const d = deferred<string>();
      gates.set(name, d);
      return d.promise;
    };
    const h1 = s.hover(task('h1'));
    const h2 = s.hover(task('h2'));
    const h3 = s.hover(task('h3'));
    const h4 = s.hover(task('h4'));
    await tick();
    expect(started).toEqual(['h1']);
    expect(await h2).toBe(SUPERSEDED);
    expect(await h3).toBe(SUPERSEDED);
    gates.get('h1')!.resolve('r1');
    expect(await h1).toBe('r1');
    await tick();
    expect(started).toEqual(['h1', 'h4']);
    gates.get('h4')!.resolve('r4');
    expect(await h4).toBe('r4');
    expect(s.stats).toEqual({ commits: 0, hovers: 2, superseded: 2 });
    await s.idle();
    expect(s.busy).toBe(false);
  });

  it('a click drops the waiting hover and runs before any later hover; clicks are never dropped', async () => {
    const s = new InferenceScheduler();
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const task = (name: string) => () => {
      started.push(name);
      const d = deferred<string>();
      gates.set(name, d);
      return d.promise;
    };
    const h1 = s.hover(task('h1'));
    const h2 = s.hover(task('h2'));
    const c1 = s.commit(task('c1'));
    const c2 = s.commit(task('c2'));
    const h3 = s.hover(task('h3'));
    expect(await h2).toBe(SUPERSEDED);
    await tick();
    expect(started).toEqual(['h1']);
    gates.get('h1')!.resolve('r1');
    await h1;
    await tick();
    expect(started).toEqual(['h1', 'c1']);
    gates.get('c1')!.resolve('rc1');
    expect(await c1).toBe('rc1');
    await tick();
    expect(started).toEqual(['h1', 'c1', 'c2']);
    gates.get('c2')!.resolve('rc2');
    expect(await c2).toBe('rc2');
    await tick();
    expect(started).toEqual(['h1', 'c1', 'c2', 'h3']);
    gates.get('h3')!.resolve('r3');
    expect(await h3).toBe('r3');
  });

  it('a failing task rejects its caller only; the queue goes on', async () => {
    const s = new InferenceScheduler();
    const bad = s.commit(async () => {
      throw new Error('boom');
    });
    const good = s.commit(async () => 42);
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toBe(42);
    const sync = s.commit((() => {
      throw new Error('sync boom');
    }) as () => Promise<number>);
    await expect(sync).rejects.toThrow('sync boom');
    expect(await s.commit(async () => 'after')).toBe('after');
  });

  it('cancelHover drops only the waiting hover', async () => {
    const s = new InferenceScheduler();
    const d = deferred<string>();
    const running = s.hover(() => d.promise);
    const waiting = s.hover(async () => 'never');
    s.cancelHover();
    expect(await waiting).toBe(SUPERSEDED);
    d.resolve('done');
    expect(await running).toBe('done');
    await s.idle();
  });

  it('100 hovers during one slow decode cost exactly two decodes', async () => {
    const s = new InferenceScheduler();
    let runs = 0;
    const first = deferred<number>();
    const results: Array<Promise<unknown>> = [s.hover(() => (runs++, first.promise))];
    for (let i = 0; i < 100; i++) results.push(s.hover(async () => (runs++, i)));
    first.resolve(-1);
    const out = await Promise.all(results);
    expect(runs).toBe(2);
    expect(out.filter((r) => r !== SUPERSEDED)).toEqual([-1, 99]);
  });
});

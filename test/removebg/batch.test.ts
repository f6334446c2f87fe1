/**
 * The batch engine (core/jobs/batch.ts) on fake items: order, progress and time left,
 * per-item errors, streaming, cancel semantics (no new item after abort; in-flight dropped),
 * back-pressure and bounded concurrency, callback failures.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ErrorCode, fail } from '../../core/errors.js';
import { MovingAverage, runBatch, type BatchProgress, type ItemResult, type ItemSource } from '../../core/jobs/batch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function items(n: number, opts: { failAt?: number[]; loadMs?: number } = {}): Array<ItemSource<number>> {
  return Array.from({ length: n }, (_, i) => ({
    id: `id${i}`,
    name: `item ${i}`,
    load: async () => {
      if (opts.loadMs) await sleep(opts.loadMs);
      if (opts.failAt?.includes(i)) fail(ErrorCode.InvalidImage, `item ${i} is corrupt`);
      return i;
    },
  }));
}

describe('runBatch', () => {
  it('processes every item in order (concurrency 1) and streams each result', async () => {
    const seen: Array<ItemResult<number>> = [];
    const summary = await runBatch(items(5), async (x) => x * 10, { onResult: (r) => void seen.push(r) });
    expect(seen.map((r) => (r.ok ? r.value : -1))).toEqual([0, 10, 20, 30, 40]);
    expect(seen.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(summary).toMatchObject({ total: 5, ok: 5, failed: 0, cancelled: false, dropped: 0, errors: [] });
  });

  it('collects per-item errors and goes on; the summary lists them', async () => {
    const seen: Array<ItemResult<number>> = [];
    const summary = await runBatch(items(6, { failAt: [2] }), async (x) => {
      if (x === 4) throw new Error('model exploded');
      return x;
    }, { onResult: (r) => void seen.push(r) });
    expect(seen.map((r) => r.ok)).toEqual([true, true, false, true, false, true]);
    expect(summary.ok).toBe(4);
    expect(summary.failed).toBe(2);
    expect(summary.errors.map((e) => [e.id, e.error.code])).toEqual([
      ['id2', ErrorCode.InvalidImage],
      ['id4', 'INTERNAL'],
    ]);
    expect(summary.errors[0]!.error.message).toBe('item 2 is corrupt');
  });

  it('reports progress: start/end per item, n of N, current item, time left from a moving average', async () => {
    const events: BatchProgress[] = [];
    await runBatch(items(4), async (x) => {
      await sleep(20);
      return x;
    }, { onProgress: (p) => events.push(p), etaWindow: 2 });
    expect(events.map((e) => `${e.event}:${e.current.name}:${e.done}/${e.total}`)).toEqual([
      'start:item 0:0/4',
      'end:item 0:1/4',
      'start:item 1:1/4',
      'end:item 1:2/4',
      'start:item 2:2/4',
      'end:item 2:3/4',
      'start:item 3:3/4',
      'end:item 3:4/4',
    ]);
    expect(events[0]!.etaMs).toBeUndefined(); // nothing measured yet
    const afterFirst = events[1]!.etaMs!;
    expect(afterFirst).toBeGreaterThan(3 * 15);
    expect(afterFirst).toBeLessThan(3 * 200);
    expect(events.at(-1)!.etaMs).toBe(0);
  });

  it('MovingAverage averages the last N samples', () => {
    const m = new MovingAverage(3);
    expect(m.value).toBeUndefined();
    [10, 20, 30, 100].forEach((v) => m.add(v));
    expect(m.value).toBe(50);
    expect(m.count).toBe(3);
  });

  it('cancelling after k results leaves exactly k results and starts nothing more', async () => {
    for (const k of [0, 1, 3, 7]) {
      const controller = new AbortController();
      const loaded: number[] = [];
      const results: number[] = [];
      const sources = items(10).map((s, i) => ({ ...s, load: async () => (loaded.push(i), i) }));
      if (k === 0) controller.abort();
      const summary = await runBatch(sources, async (x) => x, {
        signal: controller.signal,
        onResult: (r) => {
          results.push(r.index);
          if (results.length === k) controller.abort();
        },
      });
      expect(results).toHaveLength(k);
      expect(loaded).toHaveLength(k);
      expect(summary).toMatchObject({ total: k, ok: k, cancelled: true, dropped: 0 });
    }
  });

  it('drops the item in flight when cancelled during it (its result is never delivered)', async () => {
    const controller = new AbortController();
    const results: number[] = [];
    let sawSignal = false;
    const summary = await runBatch(items(5), async (x, _item, signal) => {
      if (x === 2) {
        controller.abort();
        await sleep(10);
        sawSignal = signal.aborted;
      }
      return x;
    }, { signal: controller.signal, onResult: (r) => void results.push(r.index) });
    expect(results).toEqual([0, 1]);
    expect(sawSignal).toBe(true);
    expect(summary).toMatchObject({ total: 2, cancelled: true, dropped: 1 });
  });

  it('keeps at most `concurrency` items in flight and awaits onResult (back-pressure)', async () => {
    let inFlight = 0;
    let peak = 0;
    let delivering = 0;
    let overlap = false;
    const summary = await runBatch(items(12), async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(5 + (x % 3) * 5);
      inFlight--;
      return x;
    }, {
      concurrency: 3,
      onResult: async () => {
        delivering++;
        if (delivering > 3) overlap = true;
        await sleep(3);
        delivering--;
      },
    });
    expect(peak).toBe(3);
    expect(overlap).toBe(false);
    expect(summary.ok).toBe(12);
  });

  it('a callback failure on a success fails that item and reports it once more; the batch goes on', async () => {
    const seen: string[] = [];
    const summary = await runBatch(items(3), async (x) => x, {
      onResult: (r) => {
        seen.push(`${r.index}:${r.ok}`);
        if (r.ok && r.index === 1) throw new Error('disk full');
      },
    });
    expect(seen).toEqual(['0:true', '1:true', '1:false', '2:true']);
    expect(summary).toMatchObject({ total: 3, ok: 2, failed: 1 });
    expect(summary.errors[0]!.error.message).toBe('disk full');
  });

  it('pulls sources lazily from an iterable (nothing loaded ahead) and takes a total for progress', async () => {
    let created = 0;
    function* gen(): Generator<ItemSource<number>> {
      for (let i = 0; i < 4; i++) {
        created++;
        yield { id: String(i), name: String(i), load: async () => i };
      }
    }
    const createdAtResult: number[] = [];
    const totals = new Set<number | undefined>();
    await runBatch(gen(), async (x) => x, {
      total: 4,
      onResult: () => void createdAtResult.push(created),
      onProgress: (p) => totals.add(p.total),
    });
    expect(createdAtResult).toEqual([1, 2, 3, 4]);
    expect([...totals]).toEqual([4]);
  });

  it('does not keep results: values are collectable once onResult returned', async () => {
    // Every value is a 8 MB buffer; 40 of them would be 320 MB if anything held on to them.
    const refs: Array<WeakRef<object>> = [];
    await runBatch(items(40), async () => {
      const v = { big: new Uint8Array(8 << 20) };
      refs.push(new WeakRef(v));
      return v;
    }, { onResult: () => undefined });
    // The usual way to reach V8's collector from a test: expose it, then fetch it.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await sleep(0);
    gc();
    await sleep(0);
    gc();
    expect(refs).toHaveLength(40);
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThanOrEqual(1);
  });
});

import { IExecutionRecord, ISample } from '../model/types';
import { DRAWN_EXECUTIONS, DRAWN_POINTS, drawnExecutions, SeriesCache } from '../timeline/series';

function run(k: number, started: number, ended: number | null, peak = 0): IExecutionRecord {
  return { msg_id: `m${k}`, started, ended, peak_increment: peak } as IExecutionRecord;
}

const samples: ISample[] = Array.from({ length: 10000 }, (_, i) => ({
  seq: i,
  time: i,
  rss: 1e8 + (i % 7) * 1e6,
  children_rss: i % 2
}));

describe('drawnExecutions', () => {
  it('draws every execution of a short session, only those in the zoom', () => {
    const all = [run(1, 0, 10), run(2, 20, 30), run(3, 40, null)];
    expect(drawnExecutions(all, null)).toEqual(all);
    expect(drawnExecutions(all, { from: 25, to: 35 }).map(r => r.msg_id)).toEqual(['m2']);
    // A running one reaches to now.
    expect(drawnExecutions(all, { from: 100, to: 200 }).map(r => r.msg_id)).toEqual(['m3']);
  });

  it('keeps the heaviest and the latest of a long one, in order', () => {
    const all = Array.from({ length: 1000 }, (_, k) => run(k, k * 10, k * 10 + 1, k === 7 ? 1e9 : k));
    const drawn = drawnExecutions(all, null);
    expect(drawn).toHaveLength(DRAWN_EXECUTIONS);
    expect(drawn.map(r => r.msg_id)).toContain('m7');
    expect(drawn[drawn.length - 1].msg_id).toBe('m999');
    expect(drawn.map(r => r.started)).toEqual([...drawn.map(r => r.started)].sort((a, b) => a! - b!));
  });
});

describe('SeriesCache', () => {
  it('downsamples once per change, the children from the same samples', () => {
    const cache = new SeriesCache();
    const drawn = [run(1, 100, 200)];
    const points = cache.points(samples, drawn, null);
    expect(points.length).toBeLessThanOrEqual(DRAWN_POINTS + 2);
    points.forEach(p => expect(p.children).toBe(samples[p.time].children_rss));
    expect(cache.points(samples, [run(1, 100, 200)], null)).toBe(points);
    expect(cache.points(samples.slice(), drawn, null)).not.toBe(points);
  });

  it('samples a zoomed range on its own, one sample beyond each edge', () => {
    const points = new SeriesCache().points(samples, [], { from: 5000, to: 5100 });
    expect(points[0].time).toBe(4999);
    expect(points[points.length - 1].time).toBe(5100);
    expect(points).toHaveLength(102);
  });
});

import { describe, expect, it } from 'vitest';
import { EMPTY_PROMPT, isDecodable, isEmptyPrompt, PromptHistory, samePrompt, toPrompt, withBox, withPoint } from '../../ui/prompts.js';

describe('prompt states', () => {
  it('adds points and a box without touching the previous state', () => {
    const a = withPoint(EMPTY_PROMPT, { x: 10, y: 20, label: 1 });
    const b = withPoint(a, { x: 5, y: 6, label: 0 });
    const c = withBox(b, { x0: 1, y0: 2, x1: 30, y1: 40 });
    expect(EMPTY_PROMPT.points).toHaveLength(0);
    expect(a.points).toEqual([{ x: 10, y: 20, label: 1 }]);
    expect(b.points).toHaveLength(2);
    expect(c.box).toEqual({ x0: 1, y0: 2, x1: 30, y1: 40 });
    expect(c.points).toBe(b.points);
    expect(withPoint(c, { x: 1, y: 1, label: 1 }).box).toEqual(c.box);
  });

  it('knows what can be decoded', () => {
    expect(isEmptyPrompt(EMPTY_PROMPT)).toBe(true);
    expect(isDecodable(EMPTY_PROMPT)).toBe(false);
    expect(isDecodable(withPoint(EMPTY_PROMPT, { x: 1, y: 1, label: 0 }))).toBe(false);
    expect(isDecodable(withPoint(EMPTY_PROMPT, { x: 1, y: 1, label: 1 }))).toBe(true);
    expect(isDecodable(withBox(EMPTY_PROMPT, { x0: 0, y0: 0, x1: 5, y1: 5 }))).toBe(true);
  });

  it('builds engine prompts (copies, previous mask only when given)', () => {
    const s = withBox(withPoint(EMPTY_PROMPT, { x: 3, y: 4, label: 1 }), { x0: 0, y0: 0, x1: 9, y1: 9 });
    const p = toPrompt(s);
    expect(p).toEqual({ points: [{ x: 3, y: 4, label: 1 }], box: { x0: 0, y0: 0, x1: 9, y1: 9 } });
    expect(p.points[0]).not.toBe(s.points[0]);
    const prev = { width: 256 as const, height: 256 as const, data: new Float32Array(256 * 256) };
    expect(toPrompt(s, prev).previous).toBe(prev);
    expect(samePrompt(s, withBox(withPoint(EMPTY_PROMPT, { x: 3, y: 4, label: 1 }), { x0: 0, y0: 0, x1: 9, y1: 9 }))).toBe(true);
    expect(samePrompt(s, withPoint(EMPTY_PROMPT, { x: 3, y: 4, label: 1 }))).toBe(false);
  });
});

describe('PromptHistory', () => {
  const pt = (x: number) => ({ x, y: x, label: 1 as const });

  it('undoes and redoes edits in order, a new edit drops the redo branch', () => {
    const h = new PromptHistory<string>();
    expect(h.canUndo).toBe(false);
    const s1 = withPoint(EMPTY_PROMPT, pt(1));
    const s2 = withPoint(s1, pt(2));
    const s3 = withPoint(s2, pt(3));
    h.push(s1);
    h.push(s2);
    h.push(s3);
    expect(h.current.prompt).toBe(s3);
    expect(h.undo()!.prompt).toBe(s2);
    expect(h.undo()!.prompt).toBe(s1);
    expect(h.canRedo).toBe(true);
    expect(h.redo()!.prompt).toBe(s2);
    h.push(withBox(s2, { x0: 0, y0: 0, x1: 4, y1: 4 }));
    expect(h.canRedo).toBe(false);
    expect(h.redo()).toBeUndefined();
    expect(h.undo()!.prompt).toBe(s2);
    expect(h.undo()!.prompt).toBe(s1);
    expect(h.undo()!.prompt).toBe(EMPTY_PROMPT);
    expect(h.undo()).toBeUndefined();
  });

  it('keeps predictions and candidate choices with their entries', () => {
    const h = new PromptHistory<string>();
    const e1 = h.push(withPoint(EMPTY_PROMPT, pt(1)));
    e1.prediction = 'p1';
    e1.candidate = 2;
    const e2 = h.push(withPoint(e1.prompt, pt(2)));
    e2.prediction = 'p2';
    expect(h.undo()).toBe(e1);
    expect(h.current.prediction).toBe('p1');
    expect(h.current.candidate).toBe(2);
    expect(h.redo()!.prediction).toBe('p2');
    h.forgetPredictions();
    expect(h.current.prediction).toBeUndefined();
    expect(h.undo()!.candidate).toBeUndefined();
  });

  it('treats clear as an undoable edit and reset as a fresh start', () => {
    const h = new PromptHistory<string>();
    const s1 = withPoint(EMPTY_PROMPT, pt(1));
    h.push(s1);
    h.push(EMPTY_PROMPT); // Esc
    expect(isEmptyPrompt(h.current.prompt)).toBe(true);
    expect(h.undo()!.prompt).toBe(s1);
    h.reset();
    expect(h.canUndo).toBe(false);
    expect(h.canRedo).toBe(false);
    expect(isEmptyPrompt(h.current.prompt)).toBe(true);
  });

  it('bounds its memory', () => {
    const h = new PromptHistory<string>(5);
    let s = EMPTY_PROMPT;
    for (let i = 0; i < 20; i++) h.push((s = withPoint(s, pt(i))));
    expect(h.depth).toBe(5);
    let undos = 0;
    while (h.undo()) undos++;
    expect(undos).toBe(5);
  });
});

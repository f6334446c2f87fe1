/**
 * Builders for documents the tests (and the browser harness) need: PNGs whose pixels encode
 * their own coordinates, image-filled layers, nested frames, transforms.
 */
import { encodePng } from '../../../core/image/png.js';
import type { RgbaImage } from '../../../core/image/types.js';
import type { FakeFigma } from './figma.js';
import type { FFrame, FNode, FRectangle, FScene } from './nodes.js';

export function rgba(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = pixel(x, y);
      data.set(p, (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** Pixel (x, y) = (x mod 256, y mod 256, high bits of x and y, 255): every pixel says where it is. */
export function coordinatePixel(x: number, y: number): [number, number, number, number] {
  return [x & 255, y & 255, ((x >> 8) & 15) | (((y >> 8) & 15) << 4), 255];
}

export function decodeCoordinate(r: number, g: number, b: number): { x: number; y: number } {
  return { x: r | ((b & 15) << 8), y: g | ((b >> 4) << 8) };
}

export function coordinatePng(width: number, height: number): Uint8Array {
  return encodePng(rgba(width, height, coordinatePixel), { level: 1 });
}

export function solidPng(width: number, height: number, c: [number, number, number, number] = [200, 80, 40, 255]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(c, i);
  return encodePng({ width, height, data }, { level: 1 });
}

export interface ImageLayerSpec {
  bytes: Uint8Array;
  name?: string;
  width: number;
  height: number;
  x?: number;
  y?: number;
  /** Degrees, Figma's sense (counter-clockwise on screen), about the top-left corner. */
  rotation?: number;
  /** Mirror horizontally (negative determinant) about the node's own vertical axis. */
  flipX?: boolean;
  scaleMode?: 'FILL' | 'FIT' | 'CROP' | 'TILE';
  imageTransform?: Transform;
  parent?: FNode & { appendChild(n: FScene): void };
  type?: 'RECTANGLE' | 'FRAME' | 'ELLIPSE';
}

export function transformOf(x: number, y: number, rotation = 0, flipX = false, width = 0): Transform {
  const r = (rotation * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  // Rotation as Figma defines it (rotation = atan2(-m10, m00)); a flip mirrors local x about
  // the node's centre line before rotating, keeping the box where it was.
  if (!flipX) return [
    [c, s, x],
    [-s, c, y],
  ];
  return [
    [-c, s, x + c * width],
    [s, c, y - s * width],
  ];
}

export function imageLayer(fake: FakeFigma, spec: ImageLayerSpec): FRectangle {
  const f = fake.figma;
  const node = (spec.type === 'FRAME' ? f.createFrame() : spec.type === 'ELLIPSE' ? f.createEllipse() : f.createRectangle()) as unknown as FRectangle;
  const image = f.createImage(spec.bytes);
  if (spec.parent) spec.parent.appendChild(node);
  node.name = spec.name ?? 'Photo';
  node.resize(spec.width, spec.height);
  node.relativeTransform = transformOf(spec.x ?? 0, spec.y ?? 0, spec.rotation ?? 0, spec.flipX ?? false, spec.width);
  const paint: Record<string, unknown> = { type: 'IMAGE', imageHash: image.hash, scaleMode: spec.scaleMode ?? 'FILL' };
  if (spec.imageTransform) paint.imageTransform = spec.imageTransform;
  node.fills = [paint as unknown as Paint];
  return node;
}

export function frame(
  fake: FakeFigma,
  spec: { name?: string; x?: number; y?: number; width: number; height: number; rotation?: number; parent?: FNode & { appendChild(n: FScene): void }; clips?: boolean },
): FFrame {
  const fr = fake.figma.createFrame() as unknown as FFrame;
  if (spec.parent) spec.parent.appendChild(fr);
  fr.name = spec.name ?? 'Frame';
  fr.resize(spec.width, spec.height);
  fr.relativeTransform = transformOf(spec.x ?? 0, spec.y ?? 0, spec.rotation ?? 0);
  if (spec.clips !== undefined) fr.clipsContent = spec.clips;
  return fr;
}

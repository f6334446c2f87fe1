import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { buildStandInSalient } from './bench/removebg-model.js';
import jpeg from 'jpeg-js';
import { encodePng } from './core/image/png.js';
const SIZES: Array<[number, number]> = [[1600,1200],[1024,768],[800,800],[640,480],[1200,900],[768,1024],[1000,1000],[900,600],[1080,1350],[1280,720]];
function scene(w: number, h: number, k: number) {
  const data = new Uint8Array(w*h*4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const dx=(x+0.5-w/2)/(w*0.28), dy=(y+0.5-h*0.45)/(h*0.3); const inO = dx*dx+dy*dy<=1; const v = inO ? 150-Math.round(30*dy) : 236-Math.round(4*y/h); const i=(y*w+x)*4; data[i]=v; data[i+1]=inO?v-10:v; data[i+2]=inO?v-25:v; data[i+3]=255; }
  return k % 2 ? new Uint8Array(jpeg.encode({data, width:w, height:h}, 90).data) : encodePng({width:w,height:h,data});
}
const root = '/tmp/rssexp'; rmSync(root, {recursive:true, force:true}); mkdirSync(root+'/m', {recursive:true}); mkdirSync(root+'/in');
const m = buildStandInSalient({layers:0}); writeFileSync(root+'/m/model.onnx', m.model); writeFileSync(root+'/m/cutout.json', m.descriptor);
const bases = SIZES.map(([w,h],k)=>({b:scene(w,h,k), e: k%2?'jpg':'png'}));
const ins: string[] = [];
for (let i = 0; i < 200; i++) { const b = bases[process.env.ONE ? 3 : i%10]!; const p = `${root}/in/i${i}.${b.e}`; writeFileSync(p, b.b); ins.push(p); }
const extra = process.argv.slice(2);
const r = spawnSync(process.execPath, [...extra, process.env.CLI ?? 'dist/cli.js', 'remove-bg', ...ins, '--model', root+'/m', '--out-dir', root+'/out'], { env: {...process.env, CUTOUT_REPORT_RSS: '1', ...(process.env.MMAP ? {MALLOC_MMAP_THRESHOLD_: process.env.MMAP} : {})}, encoding: 'utf8', maxBuffer: 1<<26 });
const lines = r.stdout.trim().split('\n').map(l => JSON.parse(l));
const row = (i: number) => `${i}: rss ${(lines[i].rss/2**20).toFixed(0)} max ${(lines[i].max_rss/2**20).toFixed(0)} heap ${(lines[i].heap_used/2**20).toFixed(0)} ab ${(lines[i].array_buffers/2**20).toFixed(0)}`;
console.log([0,1,2,3,4,5,6,7,8,9,19,29,49,79,99,129,159,199].map(row).join('\n'));
console.log(JSON.stringify(lines.at(-1)));

/** The analytic models on disk (once per test worker), for the background-removal tests. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAnalyticModels, type AnalyticFormat } from '../../models/analytic/index.js';

let dirs: Promise<Record<AnalyticFormat, string>> | undefined;

/** Folder per analytic format (salient, sam1, sam-hf, ...), generated idempotently. */
export function analyticDirs(): Promise<Record<AnalyticFormat, string>> {
  dirs ??= generateAnalyticModels(join(tmpdir(), 'cutout-analytic-removebg'));
  return dirs;
}

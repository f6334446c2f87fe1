/**
 * Penpot's plugin sandbox, as far as a plugin's code can tell (plugins-runtime
 * create-sandbox.ts / create-plugin.ts / plugin-manager.ts, penpot/penpot 66bb6a1, and SES's
 * compartment evaluator):
 *  - the code runs in strict mode inside an SES Compartment whose global object holds the
 *    endowments (PLUGIN_SANDBOX_GLOBALS: `penpot`, the wrapped timers, `fetch`, and hardened
 *    copies of Object, Math, JSON, Promise, …) besides the shared intrinsics (Error, Reflect, …);
 *  - every other name of the page is out of reach: SES's scope terminator answers every free
 *    identifier, and one the compartment lacks reads as `undefined` (no ReferenceError);
 *  - `setTimeout` is the runtime's wrapper: each timer id is remembered, and closing the plugin
 *    clears every pending one (their callbacks never run);
 *  - closing the plugin (the modal's close button, penpot.closePlugin(), leaving the file) runs
 *    `cleanGlobalThis`: EVERY endowment is deleted from the compartment's global object, so
 *    code of the plugin that is still running — a promise resuming after the close — reads
 *    `penpot`, `Math`, `Object`, `Promise`, `setTimeout`, … as undefined. Objects the plugin
 *    already holds (shape proxies, a captured `penpot`) keep working: the workspace behind
 *    them is still there.
 * The emulation evaluates the code inside `with (scope)`, the way SES does, so that deleting a
 * property of the compartment's global is seen by code that is already running.
 */

/** The standard globals a compartment has besides its endowments (the shared intrinsics). */
export const SES_INTRINSICS: readonly string[] = [
  'globalThis', 'Infinity', 'NaN', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'decodeURI', 'decodeURIComponent',
  'encodeURI', 'encodeURIComponent', 'escape', 'unescape', 'AggregateError', 'Array', 'ArrayBuffer', 'Atomics', 'BigInt', 'BigInt64Array',
  'BigUint64Array', 'Boolean', 'DataView', 'Date', 'Error', 'EvalError', 'FinalizationRegistry', 'Float16Array', 'Float32Array', 'Float64Array',
  'Function', 'Int8Array', 'Int16Array', 'Int32Array', 'Iterator', 'JSON', 'Map', 'Math', 'Number', 'Object', 'Promise', 'Proxy', 'RangeError',
  'ReferenceError', 'Reflect', 'RegExp', 'Set', 'SharedArrayBuffer', 'String', 'Symbol', 'SyntaxError', 'TypeError', 'Uint8Array',
  'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'URIError', 'WeakMap', 'WeakRef', 'WeakSet', 'Intl',
];

export interface Compartment {
  /** The compartment's global object (`globalThis` inside). */
  readonly globalThis: Record<string, unknown>;
  /** Runs `code` (a script) in the compartment, strict mode, `this` undefined. */
  evaluate(code: string): void;
  /** create-sandbox.ts cleanGlobalThis: deletes every endowment from the global object. */
  cleanGlobalThis(): void;
}

/** A compartment with `endowments` (their names and values) over this realm's intrinsics. */
export function createCompartment(endowments: Record<string, unknown>): Compartment {
  const realm = globalThis as unknown as Record<string, unknown>;
  const global: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of SES_INTRINSICS) if (k in realm) global[k] = realm[k];
  global.globalThis = global;
  Object.assign(global, endowments);
  // SES's scope terminator: every free name is "there"; one the global lacks reads as undefined.
  const scope = new Proxy(global, {
    has: (_t, key) => typeof key === 'string',
    get: (t, key) => (typeof key === 'string' ? t[key] : undefined),
    set: (t, key, value) => {
      if (typeof key !== 'string' || !(key in t)) throw new ReferenceError(`${String(key)} is not defined`);
      t[key] = value;
      return true;
    },
  });
  return {
    globalThis: global,
    evaluate(code) {
      // A sloppy outer function holds the `with`; the plugin's code itself runs strict inside it.
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const run = new Function('scope', `with (scope) { return function () { 'use strict';\n${code}\n}; }`) as (s: object) => () => void;
      run(scope).call(undefined);
    },
    cleanGlobalThis() {
      for (const k of Object.keys(endowments)) delete global[k];
    },
  };
}

// Loads @prisma/schema-engine-wasm without the ESM-integration import of the .wasm file,
// which Node 20 does not support, and owns the timers the engine starts.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";

const require = createRequire(import.meta.url);

/** Timers started by the engine (its advisory-lock timeout among them) that have not fired. */
const pendingTimers = new Set();
let activeEngines = 0;
let loading;

function engineSetTimeout(callback, ms) {
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    callback();
  }, ms >>> 0);
  // The engine never clears its timers (the 10 s advisory-lock timeout outlives the lock):
  // they must not keep the process alive.
  timer.unref();
  pendingTimers.add(timer);
  return timer;
}

async function instantiate() {
  const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bytes = await readFile(join(dirname(bgPath), "schema_engine_bg.wasm"));
  const imports = { ...bg };
  for (const name of Object.keys(bg)) {
    if (name.startsWith("__wbg_setTimeout_")) imports[name] = engineSetTimeout;
  }
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": imports });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bg;
}

/** The wasm module's bindings, instantiated once per process. */
export function loadWasm() {
  loading ??= instantiate();
  return loading;
}

/** Version string of the WebAssembly schema engine. */
export async function wasmVersion() {
  return (await loadWasm()).version();
}

/**
 * Creates a SchemaEngine over a bound migration-aware adapter factory.
 * @returns {Promise<{ engine: import("@prisma/schema-engine-wasm").SchemaEngine, free: () => void }>}
 */
export async function newSchemaEngine(datamodels, adapterFactory, onLog) {
  const wasm = await loadWasm();
  // An empty datamodels array makes the engine panic (RuntimeError: unreachable).
  const options = { datamodels: datamodels && datamodels.length > 0 ? datamodels : undefined };
  const engine = await wasm.SchemaEngine.new(options, onLog ?? (() => {}), adapterFactory);
  activeEngines += 1;
  let freed = false;
  return {
    engine,
    free() {
      if (freed) return;
      freed = true;
      activeEngines -= 1;
      engine.free();
      if (activeEngines === 0) {
        for (const timer of pendingTimers) clearTimeout(timer);
        pendingTimers.clear();
      }
    },
  };
}

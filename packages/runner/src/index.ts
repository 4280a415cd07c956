export { DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from "./options";
export { BatchRunner, type BatchRunnerDeps } from "./runner";

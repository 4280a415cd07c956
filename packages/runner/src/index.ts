export { BatchRunner, type BatchRunnerDeps } from "./runner";
export { DEFAULT_RUNNER_OPTIONS, runnerOptionsFromEnv, type RunnerOptions } from "./options";

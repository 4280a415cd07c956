export { DEFAULT_RUNNER_OPTIONS, type RunnerOptions, runnerOptionsFromEnv } from "./options";
export { BatchRunner, type BatchRunnerDeps } from "./runner";

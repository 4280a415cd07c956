import { createMigratedDatabase } from "@fxbt/db/testing";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/** Migrates one template database per run; every test copies it (test/harness.ts). */
export default async function setup(project: TestProject) {
  const template = await createMigratedDatabase("fxbt_runner_template");
  project.provide("templateDatabase", template.name);
  return () => template.drop();
}

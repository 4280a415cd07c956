import { createMigratedDatabase } from "@fxbt/db/testing";
import type { TestProject } from "vitest/node";
import { buildApi } from "./api-process";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Migrates one template database per run; every test file copies it. Builds the API's production
 * bundle once, for the tests that run it as a process (api-process.ts), before any file starts.
 */
export default async function setup(project: TestProject) {
  const [template] = await Promise.all([createMigratedDatabase("fxbt_template"), buildApi()]);
  project.provide("templateDatabase", template.name);
  return () => template.drop();
}

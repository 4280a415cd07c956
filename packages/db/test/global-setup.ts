import type { TestProject } from "vitest/node";
import { createMigratedDatabase } from "../src/testing";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/** Migrates one template database per run; every test file copies it. */
export default async function setup(project: TestProject) {
  const template = await createMigratedDatabase("fxbt_db_template");
  project.provide("templateDatabase", template.name);
  return () => template.drop();
}

import { writeFileSync } from "node:fs";
import { printServedSchema } from "./graphql/schema";

/** Writes the full served SDL to apps/api/schema.graphql (a test checks it is current). */
writeFileSync(new URL("../schema.graphql", import.meta.url), printServedSchema());

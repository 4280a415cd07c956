import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { apiError, maskInternalErrors } from "../src/errors";

describe("the error format clients see", () => {
  it("passes errors a client can act on as they are", () => {
    const logged: unknown[] = [];
    const error = apiError("BAD_BATCH_STATE", "batch B-1: a RUNNING batch cannot be started", { id: "x" });
    const formatted = maskInternalErrors((e) => logged.push(e))(error.toJSON(), error);
    expect(formatted).toMatchObject({
      message: "batch B-1: a RUNNING batch cannot be started",
      extensions: { code: "BAD_BATCH_STATE", id: "x" },
    });
    expect(logged).toEqual([]);
  });

  it("logs anything else with its detail and shows the client only INTERNAL_SERVER_ERROR", () => {
    const logged: unknown[] = [];
    const error = new GraphQLError("Raw query failed. Code: `22P02`. Message: invalid input syntax for type uuid", {
      path: ["batches"],
      extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["at pg"] },
    });
    const formatted = maskInternalErrors((e) => logged.push(e))(error.toJSON(), error);
    expect(formatted).toEqual({
      message: "Internal server error",
      path: ["batches"],
      locations: undefined,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(logged).toEqual([error]);
  });
});

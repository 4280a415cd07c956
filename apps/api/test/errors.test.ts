import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { apiError, maskInternalErrors, maskOperationErrors, maskResult } from "../src/errors";

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

  it("masks a subscription's result over the WebSocket exactly as HTTP masks it", () => {
    const logged: unknown[] = [];
    const internal = new GraphQLError("Raw query failed. Code: `22021`. Message: invalid byte sequence for encoding UTF8: 0x00", {
      path: ["batchProgress"],
      originalError: new Error("prisma"),
    });
    const mask = maskInternalErrors((e) => logged.push(e));
    expect(maskResult({ data: null, errors: [internal] }, mask)).toEqual({
      data: null,
      errors: [
        { message: "Internal server error", path: ["batchProgress"], locations: undefined, extensions: { code: "INTERNAL_SERVER_ERROR" } },
      ],
    });
    expect(logged).toEqual([internal]);
  });

  it("gives graphql-ws's own validation and parse errors the codes HTTP gives them", () => {
    const mask = maskInternalErrors(() => {});
    const [validation, syntax] = maskOperationErrors(
      [new GraphQLError('Cannot query field "statuss" on type "Batch".'), new GraphQLError("Syntax Error: Expected Name, found <EOF>.")],
      mask,
    );
    expect(validation).toMatchObject({
      message: 'Cannot query field "statuss" on type "Batch".',
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
    expect(syntax).toMatchObject({ extensions: { code: "GRAPHQL_PARSE_FAILED" } });
  });
});

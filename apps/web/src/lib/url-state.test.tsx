// @vitest-environment jsdom
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, test } from "vitest";
import { useUrlParams } from "./url-state";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

/** Shows `q` and offers both ways of changing it. */
function Probe() {
  const [params, update] = useUrlParams();
  return (
    <>
      <output>{params.get("q") ?? "none"}</output>
      <button type="button" onClick={() => update((draft) => draft.set("q", "pushed"), "push")}>
        push
      </button>
      <button type="button" onClick={() => update((draft) => draft.set("q", "replaced"), "replace")}>
        replace
      </button>
    </>
  );
}

describe("list state in the address", () => {
  test("reads the query, writes it as a new step or in place, and follows back/forward", async () => {
    window.history.replaceState(null, "", "/trades?q=start#top");
    render(<Probe />);
    expect(screen.getByRole("status").textContent).toBe("start");
    const steps = window.history.length;

    act(() => screen.getByRole("button", { name: "push" }).click());
    expect(screen.getByRole("status").textContent).toBe("pushed");
    expect(`${window.location.pathname}${window.location.search}${window.location.hash}`).toBe("/trades?q=pushed#top");
    expect(window.history.length).toBe(steps + 1);

    act(() => screen.getByRole("button", { name: "replace" }).click());
    expect(window.location.search).toBe("?q=replaced");
    expect(window.history.length).toBe(steps + 1);

    // Writing the query it already has adds no step.
    act(() => screen.getByRole("button", { name: "replace" }).click());
    expect(window.history.length).toBe(steps + 1);

    // Back: jsdom moves the address and fires popstate, as a browser does.
    await act(async () => {
      const popped = new Promise((resolve) => window.addEventListener("popstate", resolve, { once: true }));
      window.history.back();
      await popped;
    });
    expect(screen.getByRole("status").textContent).toBe("start");
  });
});

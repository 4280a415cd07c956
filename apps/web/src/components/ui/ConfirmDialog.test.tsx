// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ConfirmDialog } from "./ConfirmDialog";

afterEach(cleanup);

function renderDialog() {
  const onConfirm = vi.fn();
  const onCancel = vi.fn();
  render(
    <>
      <div id="app-shell">
        <button type="button">Opener</button>
      </div>
      <ConfirmDialog title="Delete B-1?" onConfirm={onConfirm} onCancel={onCancel}>
        <p>Gone for good.</p>
      </ConfirmDialog>
    </>,
  );
  return { onConfirm, onCancel };
}

describe("ConfirmDialog", () => {
  test("is a labelled modal dialog with Keep focused and the page behind inert", () => {
    renderDialog();
    const dialog = screen.getByRole("dialog", { name: "Delete B-1?" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Keep" }));
    expect(document.getElementById("app-shell")?.hasAttribute("inert")).toBe(true);
  });

  test("Tab wraps inside the dialog", () => {
    renderDialog();
    const keep = screen.getByRole("button", { name: "Keep" });
    const confirm = screen.getByRole("button", { name: "Confirm" });
    confirm.focus();
    fireEvent.keyDown(confirm, { key: "Tab" });
    expect(document.activeElement).toBe(keep);
    fireEvent.keyDown(keep, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(confirm);
  });

  test("Escape keeps, Confirm confirms", () => {
    const { onConfirm, onCancel } = renderDialog();
    fireEvent.keyDown(screen.getByRole("dialog"), { key: "Escape" });
    expect(onCancel).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole("button", { name: "Confirm" }));
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});

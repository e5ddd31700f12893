// @vitest-environment happy-dom
//
// The touch UI's DOM side: the stick follows its own finger only and reports the movement
// input on change; a button acts once per tap (on the finger coming down), once per click.
import { afterEach, describe, expect, it } from "vitest";
import { bindPress, bindStick } from "../src/ui/touch";

function pointer(type: string, pointerId: number, x: number, y: number, pointerType = "touch"): PointerEvent {
  return new PointerEvent(type, { pointerId, pointerType, clientX: x, clientY: y, bubbles: true, cancelable: true });
}

/** A 100 x 100 stick at (0, 0): centre (50, 50), radius 50, dead zone 10. */
function stick(): { base: HTMLElement; knob: HTMLElement; inputs: [number, number][]; cleanup: () => void } {
  const base = document.createElement("div");
  const knob = document.createElement("div");
  base.append(knob);
  document.body.append(base);
  base.getBoundingClientRect = () => ({ left: 0, top: 0, width: 100, height: 100, right: 100, bottom: 100, x: 0, y: 0 }) as DOMRect;
  const inputs: [number, number][] = [];
  const cleanup = bindStick(base, knob, (dx, dy) => inputs.push([dx, dy]));
  return { base, knob, inputs, cleanup };
}

afterEach(() => document.body.replaceChildren());

describe("the stick", () => {
  it("reports a direction as it leaves the dead zone, turns, and (0, 0) on release", () => {
    const s = stick();
    s.base.dispatchEvent(pointer("pointerdown", 1, 50, 50));
    expect(s.inputs).toEqual([]); // in the dead zone: nothing yet
    expect(s.base.classList.contains("held")).toBe(true);
    s.base.dispatchEvent(pointer("pointermove", 1, 90, 50));
    s.base.dispatchEvent(pointer("pointermove", 1, 95, 50)); // same direction: not reported again
    s.base.dispatchEvent(pointer("pointermove", 1, 50, 10));
    expect(s.inputs).toEqual([[1, 0], [0, -1]]);
    expect(s.knob.style.transform).toBe("translate(0px, -40px)");
    s.base.dispatchEvent(pointer("pointerup", 1, 50, 10));
    expect(s.inputs.at(-1)).toEqual([0, 0]);
    expect(s.base.classList.contains("held")).toBe(false);
    s.cleanup();
  });

  it("ignores a second finger", () => {
    const s = stick();
    s.base.dispatchEvent(pointer("pointerdown", 1, 50, 90));
    s.base.dispatchEvent(pointer("pointerdown", 2, 10, 50));
    s.base.dispatchEvent(pointer("pointermove", 2, 0, 50));
    s.base.dispatchEvent(pointer("pointerup", 2, 0, 50));
    expect(s.inputs).toEqual([[0, 1]]);
    s.base.dispatchEvent(pointer("pointercancel", 1, 50, 90));
    expect(s.inputs).toEqual([[0, 1], [0, 0]]);
    s.cleanup();
  });

  it("lets go when the page loses focus", () => {
    const s = stick();
    s.base.dispatchEvent(pointer("pointerdown", 1, 90, 90));
    window.dispatchEvent(new Event("blur"));
    expect(s.inputs).toEqual([[Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2)], [0, 0]]);
    s.cleanup();
  });
});

describe("a touch button", () => {
  it("acts on the finger coming down, and on a click (mouse, keyboard), once each", () => {
    const b = document.createElement("button");
    document.body.append(b);
    let n = 0;
    const cleanup = bindPress(b, () => n++);
    b.dispatchEvent(pointer("pointerdown", 5, 1, 1));
    expect(n).toBe(1);
    b.dispatchEvent(pointer("pointerdown", 6, 1, 1, "mouse"));
    expect(n).toBe(1); // a mouse acts on its click
    b.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(n).toBe(2);
    cleanup();
    b.dispatchEvent(pointer("pointerdown", 7, 1, 1));
    b.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(n).toBe(2);
  });
});

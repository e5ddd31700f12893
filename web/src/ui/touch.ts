// The touch UI's DOM side (phones, tablets): whether this device is one, the on-screen stick
// (pointer events, so each finger is its own pointer id), buttons that act on the finger
// coming down (a second finger's tap while the first holds the stick is not always a click),
// the long press that stands in for hovering an item, and the chat entry that opens from a
// button at the top of the visual viewport, where the on-screen keyboard cannot cover it. Main
// thread, as all of the page.
import { Joystick } from "../joystick";

/** A phone or tablet: a coarse pointer (or, failing media queries, touch points). */
export function isTouchDevice(): boolean {
  const coarse = typeof matchMedia === "function" && matchMedia("(pointer: coarse)").matches;
  return coarse || (typeof navigator !== "undefined" && navigator.maxTouchPoints > 0 && !matchMedia("(pointer: fine)").matches);
}

/** Marks <html data-touch> so the style sheet shows the touch controls; follows a change of pointer (a docked tablet). */
export function markTouch(): void {
  const apply = () => {
    if (isTouchDevice()) document.documentElement.dataset["touch"] = "true";
    else delete document.documentElement.dataset["touch"];
  };
  apply();
  if (typeof matchMedia === "function") matchMedia("(pointer: coarse)").addEventListener("change", apply);
}

export function touchUi(): boolean {
  return document.documentElement.dataset["touch"] === "true";
}

/**
 * The stick element (a round base with a knob inside): a finger pressed on it holds it until
 * lifted; `onChange` gets the movement input whenever it changes ((0, 0) on release).
 * Returns the cleanup.
 */
export function bindStick(base: HTMLElement, knob: HTMLElement, onChange: (dx: number, dy: number) => void): () => void {
  let stick: Joystick | null = null;
  let lastDx = 0, lastDy = 0;
  const show = () => {
    const s = stick?.state;
    knob.style.transform = s ? `translate(${s.knobX}px, ${s.knobY}px)` : "";
    base.classList.toggle("held", !!s?.active);
    const dx = s?.dx ?? 0, dy = s?.dy ?? 0;
    if (dx !== lastDx || dy !== lastDy) {
      lastDx = dx;
      lastDy = dy;
      onChange(dx, dy);
    }
  };
  const down = (e: PointerEvent) => {
    e.preventDefault();
    const r = base.getBoundingClientRect();
    const radius = r.width / 2;
    if (!stick || stick.radius !== radius) stick = new Joystick(radius, radius * 0.2);
    if (!stick.press(e.pointerId, e.clientX, e.clientY, r.left + radius, r.top + r.height / 2)) return;
    try {
      base.setPointerCapture(e.pointerId);
    } catch {
      // a synthetic pointer: moves still reach the base while over it
    }
    show();
  };
  const move = (e: PointerEvent) => {
    if (stick?.move(e.pointerId, e.clientX, e.clientY)) show();
  };
  const up = (e: PointerEvent) => {
    if (stick?.release(e.pointerId)) show();
  };
  const letGo = () => {
    stick?.reset();
    show();
  };
  base.addEventListener("pointerdown", down);
  base.addEventListener("pointermove", move);
  base.addEventListener("pointerup", up);
  base.addEventListener("pointercancel", up);
  base.addEventListener("lostpointercapture", up);
  window.addEventListener("blur", letGo);
  return () => {
    letGo();
    base.removeEventListener("pointerdown", down);
    base.removeEventListener("pointermove", move);
    base.removeEventListener("pointerup", up);
    base.removeEventListener("pointercancel", up);
    base.removeEventListener("lostpointercapture", up);
    window.removeEventListener("blur", letGo);
  };
}

/**
 * `action` on a tap (as the finger comes down, so it works while another finger holds the
 * stick) or on a click (mouse, keyboard). A tap makes no click afterwards: the action may
 * have hidden the button, and the click would land on whatever was under it. Returns the
 * cleanup.
 */
export function bindPress(button: HTMLElement, action: () => void): () => void {
  const down = (e: PointerEvent) => {
    if (e.pointerType !== "touch") return; // a mouse or pen clicks
    e.preventDefault(); // no compatibility mouse events
    action();
  };
  const touchEnd = (e: TouchEvent) => {
    if (e.cancelable) e.preventDefault(); // no click after the tap
  };
  button.addEventListener("pointerdown", down);
  button.addEventListener("touchend", touchEnd, { passive: false });
  button.addEventListener("click", action);
  return () => {
    button.removeEventListener("pointerdown", down);
    button.removeEventListener("touchend", touchEnd);
    button.removeEventListener("click", action);
  };
}

/** How long a finger rests on an item before its tooltip shows: about Chrome's own long press. */
export const LONG_PRESS_MS = 500;
/** How far a resting finger may drift, CSS pixels, and still be a long press (further is a scroll). */
const LONG_PRESS_SLOP = 10;

/**
 * `action` when a finger rests on `target` for {@link LONG_PRESS_MS}: the phone's hover. A
 * lifted finger, one that moves away or a cancelled pointer (a scroll) before then is a tap,
 * left to the target's click. After the action the click the finger's lift would make is
 * swallowed (a long press on a bag item shows it, it does not wear it), and so is the context
 * menu. Bind it before the target's click listeners. Mouse and pen: nothing. Returns the cleanup.
 */
export function bindLongPress(target: HTMLElement, action: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finger = -1, x0 = 0, y0 = 0, fired = false;
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    finger = -1;
  };
  const down = (e: PointerEvent) => {
    fired = false;
    if (e.pointerType !== "touch" || finger !== -1) return;
    finger = e.pointerId;
    x0 = e.clientX;
    y0 = e.clientY;
    timer = setTimeout(() => {
      timer = undefined;
      fired = true;
      action();
    }, LONG_PRESS_MS);
  };
  const move = (e: PointerEvent) => {
    if (e.pointerId === finger && Math.hypot(e.clientX - x0, e.clientY - y0) > LONG_PRESS_SLOP) cancel();
  };
  const up = (e: PointerEvent) => {
    if (e.pointerId === finger) cancel();
  };
  const touchEnd = (e: TouchEvent) => {
    if (fired && e.cancelable) e.preventDefault(); // no click after the long press
  };
  const swallow = (e: Event) => {
    if (!fired && timer === undefined) return;
    e.preventDefault();
    e.stopImmediatePropagation();
  };
  target.addEventListener("pointerdown", down);
  target.addEventListener("pointermove", move);
  target.addEventListener("pointerup", up);
  target.addEventListener("pointercancel", up);
  target.addEventListener("touchend", touchEnd, { passive: false });
  target.addEventListener("click", swallow, true);
  target.addEventListener("contextmenu", swallow, true);
  return () => {
    cancel();
    target.removeEventListener("pointerdown", down);
    target.removeEventListener("pointermove", move);
    target.removeEventListener("pointerup", up);
    target.removeEventListener("pointercancel", up);
    target.removeEventListener("touchend", touchEnd);
    target.removeEventListener("click", swallow, true);
    target.removeEventListener("contextmenu", swallow, true);
  };
}

/**
 * Keeps the element's top at the visual viewport's top (a page the on-screen keyboard has
 * scrolled or shrunk). Returns the cleanup.
 */
export function pinToVisualTop(e: HTMLElement): () => void {
  const vv = window.visualViewport;
  if (!vv) return () => {};
  const place = () => e.style.setProperty("--vv-top", `${Math.max(0, vv.offsetTop)}px`);
  vv.addEventListener("resize", place);
  vv.addEventListener("scroll", place);
  place();
  return () => {
    vv.removeEventListener("resize", place);
    vv.removeEventListener("scroll", place);
  };
}

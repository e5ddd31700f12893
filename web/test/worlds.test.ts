// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { WorldInfoSchema, type WorldInfo } from "../src/protocol";
import { defaultWorld, isFull, renderWorldPicker, worldLabel } from "../src/ui/worlds";

const world = (name: string, population: number, capacity: number): WorldInfo =>
  create(WorldInfoSchema, { name, map: "/maps/world.tmj", population, capacity });

describe("world picker", () => {
  const aldoria = world("Aldoria", 12, 2000);
  const tiny = world("Tiny", 1, 1);
  const borea = world("Borea", 0, 50);

  it("labels each world with its population and capacity", () => {
    expect(worldLabel(aldoria)).toBe("Aldoria — 12/2000");
    expect(worldLabel(tiny)).toBe("Tiny — 1/1 (full)");
    expect(isFull(tiny)).toBe(true);
    expect(isFull(aldoria)).toBe(false);
  });

  it("keeps the player's choice, else picks the first world with room", () => {
    expect(defaultWorld([tiny, aldoria, borea], "")).toBe("Aldoria");
    expect(defaultWorld([tiny, aldoria, borea], "Borea")).toBe("Borea");
    expect(defaultWorld([tiny, aldoria], "Gone")).toBe("Aldoria");
    expect(defaultWorld([tiny], "")).toBe("Tiny");
    expect(defaultWorld([], "")).toBe("");
  });

  it("fills the select, keeps the choice across refreshes, and hides with no worlds", () => {
    document.body.innerHTML = `<label class="field" hidden><span>World</span><select id="w"></select></label>`;
    const picker = document.getElementById("w") as HTMLSelectElement;
    renderWorldPicker(picker, [aldoria, borea]);
    expect([...picker.options].map((o) => o.value)).toEqual(["Aldoria", "Borea"]);
    expect(picker.value).toBe("Aldoria");
    expect(picker.closest(".field")!.hasAttribute("hidden")).toBe(false);

    picker.value = "Borea";
    renderWorldPicker(picker, [world("Aldoria", 13, 2000), world("Borea", 1, 50)]);
    expect(picker.value).toBe("Borea");
    expect(picker.options[1]!.textContent).toBe("Borea — 1/50");

    renderWorldPicker(picker, []);
    expect(picker.closest(".field")!.hasAttribute("hidden")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { emptyEquipment } from "../src/items";
import { defaultAppearance } from "../src/protocol";
import { equipmentLooks, lookOf, wornAppearance } from "../src/render/equipment";
import type { Pen } from "../src/render/pen";

describe("equipment looks", () => {
  it("picks the shape by keyword per slot", () => {
    expect(lookOf("head", "leather-cap")!.shape).toBe("cap");
    expect(lookOf("head", "wool-hood")!.shape).toBe("hood");
    expect(lookOf("head", "iron-helm")!.shape).toBe("helm");
    expect(lookOf("chest", "linen-robe")!.shape).toBe("robe");
    expect(lookOf("chest", "leather-vest")!.shape).toBe("vest");
    expect(lookOf("legs", "wool-trousers")!.shape).toBe("trousers");
    expect(lookOf("feet", "boots")!.shape).toBe("boots");
    expect(lookOf("main_hand", "rusty-sword")!.shape).toBe("sword");
    expect(lookOf("main_hand", "oak-staff")!.shape).toBe("staff");
    expect(lookOf("main_hand", "hunting-bow")!.shape).toBe("bow");
    expect(lookOf("off_hand", "wooden-shield")!.shape).toBe("shield");
  });

  it("gives unknown kinds the slot's generic shape in a stable colour", () => {
    const a = lookOf("head", "glimmering-thing")!;
    expect(a.shape).toBe("generic");
    expect(lookOf("head", "glimmering-thing")!.color).toBe(a.color);
    for (const s of ["head", "chest", "legs", "feet", "main_hand", "off_hand"] as const) {
      expect(lookOf(s, "zz-unknown")!.shape).toBe("generic");
    }
    expect(lookOf("head", "")).toBeNull();
  });

  it("colours by material", () => {
    expect(lookOf("chest", "linen-robe")!.color).toBe(0xdcd2b6);
    expect(lookOf("main_hand", "oak-staff")!.color).toBe(0x8a5a2c);
    expect(lookOf("main_hand", "rusty-sword")!.color).toBe(0x9c6244);
  });

  it("wears clothing in place of the outfit's parts, keeping body, skin and hair", () => {
    const a = defaultAppearance();
    const eq = { ...emptyEquipment(), head: "wool-hood", chest: "linen-robe", feet: "boots" };
    const looks = equipmentLooks(eq);
    expect(Object.keys(looks).sort()).toEqual(["chest", "feet", "head"]);
    const w = wornAppearance(a, looks);
    expect(w.outfit!.hat).toBe(1);
    expect(w.outfit!.top).toBe(1);
    expect(w.outfit!.topColor).toBe(0xdcd2b6);
    expect(w.outfit!.shoesColor).toBe(looks.feet!.color);
    expect(w.outfit!.bottom).toBe(a.outfit!.bottom);
    expect(w.skinColor).toBe(a.skinColor);
    expect(w.hairStyle).toBe(a.hairStyle);
    // a helm is drawn over the head: no hat under it
    expect(wornAppearance(a, equipmentLooks({ ...emptyEquipment(), head: "iron-helm" })).outfit!.hat).toBe(0);
    // nothing worn: the outfit as chosen
    expect(wornAppearance(a, {}).outfit).toEqual(a.outfit);
  });

  it("draws every slot's shapes with the pen, generic ones too", async () => {
    const { drawBodyGear, drawHeadGear, drawMainHand, drawOffHand } = await import("../src/render/equipment");
    let fills = 0;
    const pen: Pen = {
      rect: () => pen, roundRect: () => pen, circle: () => pen, ellipse: () => pen,
      poly: (pts) => {
        expect(pts.length % 2).toBe(0);
        expect(pts.every(Number.isFinite)).toBe(true);
        return pen;
      },
      fill: () => { fills++; return pen; },
    };
    for (const kind of ["rusty-sword", "oak-staff", "hunting-bow", "war-axe", "zz-unknown"]) {
      const before = fills;
      drawMainHand(pen, lookOf("main_hand", kind)!);
      expect(fills).toBeGreaterThan(before);
    }
    for (const kind of ["wooden-shield", "zz-unknown"]) {
      const before = fills;
      drawOffHand(pen, lookOf("off_hand", kind)!);
      expect(fills).toBeGreaterThan(before);
    }
    const before = fills;
    drawHeadGear(pen, equipmentLooks({ ...emptyEquipment(), head: "iron-helm" }));
    drawBodyGear(pen, equipmentLooks({ ...emptyEquipment(), chest: "iron-mail", legs: "zz-unknown", feet: "boots" }), false, false);
    expect(fills).toBeGreaterThan(before + 8);
  });
});

import { describe, expect, it } from "vitest";
import { Cooldown, FLOAT_COLORS, actionText, attackColor, attackLook, hitText, levelColor } from "../src/combat";

describe("floating texts", () => {
  it("shows damage in red, healing in green with a plus, nothing as a grey 0", () => {
    expect(hitText(12, false, false)).toMatchObject({ text: "12", style: "damage", color: FLOAT_COLORS.damage });
    expect(hitText(-22, false, false)).toMatchObject({ text: "+22", style: "heal", color: FLOAT_COLORS.heal });
    expect(hitText(0, false, false)).toMatchObject({ text: "0", style: "miss" });
    expect(FLOAT_COLORS.damage >> 16).toBeGreaterThan(0xc0); // red
    expect((FLOAT_COLORS.heal >> 8) & 0xff).toBeGreaterThan(0xc0); // green
  });

  it("makes the numbers that concern you bigger; damage to you has its own colour", () => {
    const other = hitText(12, false, false);
    expect(hitText(12, false, true).size).toBeGreaterThan(other.size);
    const taken = hitText(12, true, false);
    expect(taken.style).toBe("damageTaken");
    expect(taken.size).toBeGreaterThan(other.size);
  });

  it("makes texts from hit, level-up and pickup events; none for attacks and deaths", () => {
    expect(actionText({ type: "hit", id: 5, source: 1, amount: 24, health: 16, maxHealth: 40 }, 1))
      .toMatchObject({ text: "24", style: "damage", size: 22 });
    expect(actionText({ type: "hit", id: 1, source: 5, amount: 6, health: 70, maxHealth: 80 }, 1))
      .toMatchObject({ text: "6", style: "damageTaken" });
    expect(actionText({ type: "hit", id: 2, source: 1, amount: -15, health: 60, maxHealth: 90 }, 1))
      .toMatchObject({ text: "+15", style: "heal" });
    expect(actionText({ type: "levelUp", id: 1, level: 3 }, 1)).toMatchObject({ text: "Level 3!", style: "levelUp" });
    expect(actionText({ type: "pickedUp", id: 1, what: "Rusty sword" }, 1)).toMatchObject({ text: "+ Rusty sword", style: "pickup" });
    expect(actionText({ type: "attack", id: 1, target: 2, ability: "Cleave" }, 1)).toBeNull();
    expect(actionText({ type: "death", id: 2, killer: 1 }, 1)).toBeNull();
  });
});

describe("attacks", () => {
  it("swings up close, shoots arrows and bolts from afar, heals as light", () => {
    expect(attackLook("Cleave", 1.4)).toBe("swing");
    expect(attackLook("Bite", 1)).toBe("swing");
    expect(attackLook("Arrow", 9)).toBe("arrow");
    expect(attackLook("Firebolt", 7)).toBe("bolt");
    expect(attackLook("Mend", 1)).toBe("heal");
    expect(attackLook("Mend", 6)).toBe("heal");
  });

  it("colours by the ability's name", () => {
    expect(attackColor("Firebolt")).toBe(0xff8a2a);
    expect(attackColor("Mend")).toBe(0x6aff7a);
    expect(attackColor("Cleave")).toBe(0xf4f0e0);
  });
});

describe("Cooldown", () => {
  it("runs from the use to the end, as a share and in ms", () => {
    const c = new Cooldown();
    expect(c.ready(0)).toBe(true);
    expect(c.fraction(0)).toBe(0);
    c.begin(1000, 2500);
    expect(c.ready(1000)).toBe(false);
    expect(c.fraction(1000)).toBe(1);
    expect(c.remaining(2250)).toBe(1250);
    expect(c.fraction(2250)).toBeCloseTo(0.5, 5);
    expect(c.ready(3500)).toBe(true);
    expect(c.fraction(4000)).toBe(0);
    c.begin(5000, 0);
    expect(c.ready(5000)).toBe(true);
  });
});

describe("levelColor", () => {
  it("goes from grey (trivial) through green and yellow to red (dangerous)", () => {
    expect(levelColor(1, 10)).toBe(0x9a9a9a);
    expect(levelColor(7, 10)).toBe(0x5ad45a);
    expect(levelColor(10, 10)).toBe(0xffe14a);
    expect(levelColor(11, 10)).toBe(0xff9a3a);
    expect(levelColor(15, 10)).toBe(0xff4a3a);
  });
});

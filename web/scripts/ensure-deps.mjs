// Runs `npm ci` unless node_modules was installed from this exact package-lock.json
// (a stamp with the lock file's hash is written after a successful install).
import { createHash } from "node:crypto";
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const lock = readFileSync("package-lock.json");
const hash = createHash("sha256").update(lock).digest("hex");
const stamp = "node_modules/.mmo-lock-sha256";
if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash) {
  console.log("node_modules is up to date with package-lock.json");
} else {
  execSync("npm ci --no-audit --no-fund", { stdio: "inherit" });
  writeFileSync(stamp, hash + "\n");
}

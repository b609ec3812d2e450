// The benchmarks' synthetic .deb files, built once with dpkg-deb and kept in bench/.work/debs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Packages from..from+count-1 in dir (made only where missing); stage is a scratch folder of the caller's. */
export function makeDebs(dir, from, count, stage) {
  mkdirSync(dir, { recursive: true });
  const made = [];
  for (let i = from; i < from + count; i++) {
    const name = `bench${String(i).padStart(5, "0")}`;
    const file = path.join(dir, `${name}_1.${i % 7}-1_amd64.deb`);
    made.push(file);
    if (existsSync(file)) continue;
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(path.join(stage, "DEBIAN"), { recursive: true });
    mkdirSync(path.join(stage, `usr/share/${name}`), { recursive: true });
    mkdirSync(path.join(stage, "usr/bin"), { recursive: true });
    writeFileSync(
      path.join(stage, "DEBIAN/control"),
      `Package: ${name}\nVersion: 1.${i % 7}-1\nArchitecture: amd64\nMaintainer: Bench <bench@example.org>\nInstalled-Size: 20\nDepends: libc6 (>= 2.36)\nSection: utils\nPriority: optional\nDescription: synthetic package ${i}\n A package made for the benchmark.\n`,
    );
    const body = createHash("sha512").update(String(i)).digest("hex").repeat(40 + (i % 50));
    writeFileSync(path.join(stage, `usr/share/${name}/data.txt`), body);
    writeFileSync(path.join(stage, `usr/share/${name}/README`), `bench package ${i}\n`);
    writeFileSync(path.join(stage, `usr/bin/${name}`), `#!/bin/sh\necho ${i}\n`, { mode: 0o755 });
    const r = spawnSync("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", stage, file], { encoding: "utf8", env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" } });
    if (r.status !== 0) throw new Error(`dpkg-deb --build ${file}: ${r.stderr}`);
  }
  return made;
}

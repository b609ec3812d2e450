// The state database choice, measured: LMDB (lmdb) against SQLite (better-sqlite3) on records shaped like
// the state's job records (history: 5000 jobs x 20 builds; index: 100 000 jobs x 1 build).
// Usage: npm install --no-save lmdb && node bench/statedb.cjs history|index
const { open } = require("lmdb") /* npm install --no-save lmdb */;
const Database = require("better-sqlite3");
const fs = require("fs");
const [shapeName] = process.argv.slice(2);
const jobs = shapeName === "history" ? 5000 : 100000, per = shapeName === "history" ? 20 : 1;
function rec(j) {
  const builds = [];
  for (let k = 0; k < per; k++) builds.push({ uuid: `b${k}-${j}`, platform: "debian-12", arch: "amd64", start: 1767225600000 + k * 86400000, main: `/work/builds/job${j}/b${k}-${j}/job${j}_1.${k}-1_amd64.deb`, sha: "aeceedd31875c7664d46df1eaf6da341a206ae74a015fa4b8885f187359de804", pkg: { name: `job${j}`, version: `1.${k}-1+b20260101000000.aeceedd3`, arch: "amd64", pool: `apt/pool/main/j/job${j}/job${j}_1.${k}-1_amd64.deb`, size: 1026, sha256: "beceedd31875c7664d46df1eaf6da341a206ae74a015fa4b8885f187359de804" } });
  return { key: `123:4096:${1767225600000 + j}`, builds };
}
const T = (l, f) => { const t = process.hrtime.bigint(); const r = f(); console.log(l.padEnd(30), (Number(process.hrtime.bigint() - t) / 1e6).toFixed(1), "ms"); return r; };
const recs = Array.from({ length: jobs }, (_, j) => rec(j));
const entry = "Package: x\nVersion: 1\n".repeat(30);
// LMDB
const DIR = require("os").tmpdir(); fs.rmSync(DIR + "/statedb-l", { recursive: true, force: true });
{
  let db = open({ path: DIR + "/statedb-l", compression: false });
  let jdb = db.openDB("jobs"); let edb = db.openDB("entries");
  T("lmdb write all", () => db.transactionSync(() => { for (let j = 0; j < jobs; j++) { jdb.putSync(`job${j}`, recs[j]); if (j % (jobs / 5000) === 0) edb.putSync(`e${j}`, entry); } }));
  db.close();
  T("lmdb open", () => { db = open({ path: DIR + "/statedb-l", compression: false }); jdb = db.openDB("jobs"); edb = db.openDB("entries"); });
  T("lmdb read all (range)", () => { let n = 0; for (const { value } of jdb.getRange()) n += value.builds.length; return n; });
  T("lmdb read all (get)", () => { let n = 0; for (let j = 0; j < jobs; j++) n += jdb.get(`job${j}`).builds.length; return n; });
  T("lmdb 5000 entries", () => { let n = 0; for (let j = 0; j < 5000; j++) n += (edb.get(`e${j * (jobs / 5000)}`) || "").length; return n; });
  T("lmdb update 10", () => db.transactionSync(() => { for (let j = 0; j < 10; j++) jdb.putSync(`job${j}`, recs[j]); }));
  db.close();
  console.log("lmdb size MB", (fs.statSync(DIR + "/statedb-l/data.mdb").size / 1e6).toFixed(1));
}
fs.rmSync(DIR + "/statedb-s.db", { force: true });
{
  let db = new Database(DIR + "/statedb-s.db");
  db.pragma("journal_mode = WAL");
  db.exec("create table jobs (k text primary key, v blob) without rowid; create table entries (k text primary key, v text) without rowid");
  const ins = db.prepare("insert or replace into jobs values (?, ?)"); const inse = db.prepare("insert or replace into entries values (?, ?)");
  T("sqlite write all (json)", () => db.transaction(() => { for (let j = 0; j < jobs; j++) { ins.run(`job${j}`, JSON.stringify(recs[j])); if (j % (jobs / 5000) === 0) inse.run(`e${j}`, entry); } })());
  db.close();
  T("sqlite open", () => { db = new Database(DIR + "/statedb-s.db"); db.pragma("journal_mode = WAL"); });
  T("sqlite read all (iterate)", () => { let n = 0; for (const r of db.prepare("select v from jobs").iterate()) n += JSON.parse(r.v).builds.length; return n; });
  T("sqlite read all (all())", () => { let n = 0; for (const r of db.prepare("select v from jobs").raw().all()) n += JSON.parse(r[0]).builds.length; return n; });
  const g = db.prepare("select v from jobs where k = ?").pluck();
  T("sqlite read all (get)", () => { let n = 0; for (let j = 0; j < jobs; j++) n += JSON.parse(g.get(`job${j}`)).builds.length; return n; });
  const ge = db.prepare("select v from entries where k = ?").pluck();
  T("sqlite 5000 entries", () => { let n = 0; for (let j = 0; j < 5000; j++) n += (ge.get(`e${j * (jobs / 5000)}`) || "").length; return n; });
  const ins2 = db.prepare("insert or replace into jobs values (?, ?)"); T("sqlite update 10", () => db.transaction(() => { for (let j = 0; j < 10; j++) ins2.run(`job${j}`, JSON.stringify(recs[j])); })());
  db.close();
  console.log("sqlite size MB", (fs.statSync(DIR + "/statedb-s.db").size / 1e6).toFixed(1));
}

// A static server for the mirror-race test, run as its own process (apt-get runs synchronously in
// the test): every InRelease comes from a saved copy, everything else from the live tree.
// Usage: node race-server.mjs ROOT SAVED_INRELEASE LOG_FILE; prints the port on stdout.
import http from "node:http";
import { appendFileSync, createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const [root, saved, log] = process.argv.slice(2);
const old = readFileSync(saved);
const srv = http.createServer((req, res) => {
  const rel = decodeURIComponent((req.url ?? "/").split("?")[0]);
  appendFileSync(log, rel + "\n");
  if (rel.endsWith("/InRelease")) {
    res.writeHead(200, { "content-length": old.length });
    res.end(req.method === "HEAD" ? undefined : old);
    return;
  }
  const file = path.join(root, rel);
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "content-length": statSync(file).size });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
});
srv.listen(0, "127.0.0.1", () => process.stdout.write(`${srv.address().port}\n`));

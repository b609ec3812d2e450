import {
  clock,
  keygen,
  parseExpiry,
  readPassphrase
} from "./chunk-JZDO5WIW.js";
import "./chunk-IEWX2NAL.js";
import "./chunk-Q3ZXJRKN.js";
import {
  io,
  parse,
  str
} from "./chunk-UPYNSUOV.js";
import "./chunk-L7I5STNP.js";
import "./chunk-5EWEZ3TV.js";
import "./chunk-IACGGMK5.js";
import {
  loadConfig
} from "./chunk-CSDMBHJD.js";
import "./chunk-XXK4KJ5C.js";
import "./chunk-NH2BR72R.js";
import {
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/commands/keygen.js
import path from "node:path";
var HELP = `Usage: repogen keygen [options]

Create the signing keys into the keys folder: an OpenPGP key for APT (ed25519 by default) and an
RSA-4096 key for FreeBSD, private halves mode 0600, public halves beside them. Refuses to
overwrite an existing key. With --file, only that one key: the next key of a rotation, beside the
current one (see "Rotating keys" in the README).

Options:
  --keys DIR             the keys folder (default: from repogen.toml, else ./keys)
  --file NAME            only this key, in the keys folder: NAME.asc an OpenPGP key (public half
                         NAME.pub.asc), NAME.pem an RSA key (public half NAME.pub.pem)
  --name TEXT            the OpenPGP user ID's name (default: "repogen signing key")
  --email ADDR           the OpenPGP user ID's address (default: repogen@localhost)
  --apt-key TYPE         ed25519 (default) or rsa4096
  --expires WHEN         when the OpenPGP key expires: 2y (default), 18m, 6w, 90d, an ISO date, or never
  --now ISO8601          the OpenPGP key's creation time (default: now)
  --passphrase-file FILE encrypt the private keys with this passphrase

Examples:
  repogen keygen --keys keys --name "Example Archive" --email archive@example.org
  repogen keygen --keys keys --file apt-signing-key-2028.asc --expires 2y
`;
async function run(argv) {
  const { values, positionals } = parse(argv, {
    keys: { type: "string" },
    file: { type: "string" },
    name: { type: "string" },
    email: { type: "string" },
    "apt-key": { type: "string" },
    expires: { type: "string" },
    now: { type: "string" },
    "passphrase-file": { type: "string" }
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length)
    throw new UsageError(`keygen takes no arguments (got "${positionals[0]}")`);
  const o = io(values);
  const keysDir = str(values.keys) ? path.resolve(str(values.keys)) : loadConfig(str(values.config)).keys;
  const type = str(values["apt-key"]) ?? "ed25519";
  if (type !== "ed25519" && type !== "rsa4096")
    throw new UsageError(`--apt-key must be ed25519 or rsa4096`);
  const name = str(values.name) ?? "repogen signing key";
  const email = str(values.email) ?? "repogen@localhost";
  if (/[\r\n<>]/.test(name) || !/^[^\s<>@]+@[^\s<>@]+$/.test(email))
    throw new UsageError("--name must be one line without <>, --email an address");
  const created = clock(str(values.now), {});
  const expiresIn = parseExpiry(str(values.expires) ?? "2y", created);
  const files = await keygen({
    keysDir,
    name,
    email,
    aptKey: type,
    file: str(values.file),
    expiresIn,
    created,
    passphrase: await readPassphrase(str(values["passphrase-file"]))
  });
  const openpgpKey = files.some((f) => f.endsWith(".asc"));
  const expires = openpgpKey && expiresIn ? new Date(created.getTime() + expiresIn * 1e3).toISOString() : null;
  if (o.json)
    o.out(JSON.stringify({ files, expires }));
  else if (!o.quiet)
    o.out(`wrote ${files.join(", ")}${openpgpKey ? ` (the OpenPGP key ${expires ? `expires on ${expires.slice(0, 10)}` : "never expires"})` : ""}`);
  return 0;
}
export {
  HELP,
  run
};

#!/usr/bin/env bash
# Re-creates examples/builds/ from examples/src/ (the committed builds are its output).
# Needs dpkg-deb for the ready-made .deb. Build folders get fixed UUIDs and times, so the output is stable.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf builds && mkdir -p builds
sha() { sha256sum "$1" | cut -d' ' -f1; }

# 1. hello: a staged tree and a package spec, for Debian 12 (amd64) and Ubuntu 24.04 (amd64)
mk_hello() { # uuid platform start version greeting
  local d="builds/hello/$1"; mkdir -p "$d"
  cp -a src/hello/stage "$d/stage"
  sed -i "s/^version = .*/version = \"$4\"/" "$d/stage/package.toml"
  mv "$d/stage/package.toml" "$d/package.toml"
  cat > "$d/build.json" <<JSON
{
  "job": "hello",
  "uuid": "$1",
  "platform": "$2",
  "arch": "amd64",
  "start": "$3",
  "finish": "$3",
  "result": "success",
  "main_binary": "stage",
  "package": "package.toml",
  "artifacts": [
    { "path": "package.toml", "sha256": "$(sha "$d/package.toml")" },
    { "path": "stage/bin/hello", "sha256": "$(sha "$d/stage/bin/hello")" }
  ]
}
JSON
}
mk_hello 7f0afdeb-0a52-4de1-b96f-00f654ce9249 debian-12 2026-11-20T10:00:00Z 1.2.0
mk_hello 0b6a3c1e-5d4f-4a8e-9c2b-6f1e2d3c4b5a ubuntu-24.04 2026-11-20T10:05:00Z 1.2.0

# 2. motd-banner: a ready-made .deb, architecture all
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/p/DEBIAN" "$tmp/p/etc/motd.d" "$tmp/p/usr/share/doc/motd-banner"
printf 'Welcome to a host whose packages come from repogen.\n' > "$tmp/p/etc/motd.d/50-repogen"
printf 'Files: *\nCopyright: 2026 Example Team\nLicense: ISC\n' > "$tmp/p/usr/share/doc/motd-banner/copyright"
printf 'motd-banner (0.3-1) unstable; urgency=medium\n\n  * Example release.\n\n -- Example Team <team@example.org>  Thu, 20 Nov 2025 09:00:00 +0000\n' | gzip -9n > "$tmp/p/usr/share/doc/motd-banner/changelog.Debian.gz"
printf '/etc/motd.d/50-repogen\n' > "$tmp/p/DEBIAN/conffiles"
cat > "$tmp/p/DEBIAN/control" <<CTL
Package: motd-banner
Version: 0.3-1
Architecture: all
Maintainer: Example Team <team@example.org>
Installed-Size: 12
Section: misc
Priority: optional
Description: Adds a banner to the message of the day
 A ready-made .deb, published as it is apart from its version.
CTL
find "$tmp/p" -exec touch -h -d @1763632800 {} +
SOURCE_DATE_EPOCH=1763632800 dpkg-deb --root-owner-group -Zxz --build "$tmp/p" "$tmp/motd-banner_0.3-1_all.deb" >/dev/null
d=builds/motd-banner/3c9e1f2a-7b4d-4e6f-8a1b-2c3d4e5f6a7b; mkdir -p "$d"
cp "$tmp/motd-banner_0.3-1_all.deb" "$d/"
cat > "$d/build.json" <<JSON
{
  "job": "motd-banner",
  "uuid": "3c9e1f2a-7b4d-4e6f-8a1b-2c3d4e5f6a7b",
  "platform": "debian-12",
  "arch": "all",
  "start": "2026-11-20T09:00:00Z",
  "finish": "2026-11-20T09:00:30Z",
  "result": "success",
  "main_binary": "motd-banner_0.3-1_all.deb",
  "artifacts": [
    { "path": "motd-banner_0.3-1_all.deb", "sha256": "$(sha "$d/motd-banner_0.3-1_all.deb")" }
  ]
}
JSON

# 3. hello for FreeBSD 14 (its own spec: FreeBSD paths under /usr/local), and libfoo, a ready .pkg
#    written by the real FreeBSD pkg (architecture-independent: abi FreeBSD:14:*)
d=builds/hello/5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c; mkdir -p "$d"
cp -a src/hello/stage "$d/stage"; rm "$d/stage/package.toml" "$d/stage/scripts/postinst"; rmdir "$d/stage/scripts"
cp src/hello-freebsd/package.toml "$d/package.toml"
cat > "$d/build.json" <<JSON
{
  "job": "hello",
  "uuid": "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c",
  "platform": "freebsd-14",
  "arch": "amd64",
  "start": "2026-11-20T10:10:00Z",
  "finish": "2026-11-20T10:12:00Z",
  "result": "success",
  "main_binary": "stage",
  "package": "package.toml",
  "artifacts": [
    { "path": "package.toml", "sha256": "$(sha "$d/package.toml")" }
  ]
}
JSON
d=builds/libfoo/2b1a0f9e-8d7c-4b6a-9e5f-4d3c2b1a0f9e; mkdir -p "$d"
cp src/libfoo-2.0.pkg "$d/"
cat > "$d/build.json" <<JSON
{
  "job": "libfoo",
  "uuid": "2b1a0f9e-8d7c-4b6a-9e5f-4d3c2b1a0f9e",
  "platform": "freebsd-14",
  "arch": "amd64",
  "start": "2026-11-19T08:00:00Z",
  "finish": "2026-11-19T08:01:00Z",
  "result": "success",
  "main_binary": "libfoo-2.0.pkg",
  "artifacts": [
    { "path": "libfoo-2.0.pkg", "sha256": "$(sha "$d/libfoo-2.0.pkg")" }
  ]
}
JSON

# 4. a failed build: ignored, not rejected
d=builds/hello/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a; mkdir -p "$d"
cat > "$d/build.json" <<JSON
{
  "job": "hello",
  "uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
  "platform": "debian-12",
  "arch": "amd64",
  "start": "2026-11-21T10:00:00Z",
  "finish": "2026-11-21T10:01:00Z",
  "result": "failure",
  "main_binary": "stage",
  "artifacts": []
}
JSON
echo "examples/builds re-created"

#!/usr/bin/env python3
"""Refresh the vendored front-end assets in inspections/static/vendor/ from npm.

    python3 scripts/vendor.py                 # every manifest entry, at its recorded version
    python3 scripts/vendor.py bootstrap       # only these entries
    python3 scripts/vendor.py --upgrade htmx.org   # to the newest version npm has
    python3 scripts/vendor.py --upgrade --within 2 htmx.org   # newest 2.x

Each MANIFEST.json entry names its npm package (`name`), `version` and a `pack` map
{path under vendor/: path inside the npm tarball}. The script runs `npm pack`, copies each
file, moves the entry's folder when the version changes, and rewrites the sha256s.
Only this refresh needs npm; running the application needs nothing but Python.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "inspections" / "static" / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def npm(*args: str, cwd: Path) -> str:
    command = ["npm", *args]  # npm from the PATH, as a developer runs it
    result = subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)  # noqa: S603
    return result.stdout.strip()


def latest_version(name: str, within: str | None) -> str:
    spec = f"{name}@{within}" if within else f"{name}@latest"
    out = npm("view", spec, "version", "--json", cwd=Path(tempfile.gettempdir()))
    versions = json.loads(out)
    return versions[-1] if isinstance(versions, list) else versions


def _retarget(path: str, old: str, new: str) -> str:
    """vendor/bootstrap-5.3.8/x.css -> vendor/bootstrap-5.3.9/x.css when the version moves."""
    return path.replace(f"-{old}/", f"-{new}/", 1) if old != new else path


def refresh(key: str, entry: dict, *, upgrade: bool, within: str | None) -> dict:
    old_version = entry["version"]
    version = latest_version(entry["name"], within) if upgrade else old_version
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tarball = npm("pack", f"{entry['name']}@{version}", "--silent", cwd=work).splitlines()[-1]
        with tarfile.open(work / tarball) as archive:
            archive.extractall(work / "x", filter="data")
        pack: dict[str, str] = {}
        files: dict[str, str] = {}
        for target, inside in entry["pack"].items():
            target = _retarget(target, old_version, version)
            source = work / "x" / inside
            if not source.is_file():
                sys.exit(f"{key}: {inside} is not in {entry['name']}@{version}")
            destination = VENDOR / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            pack[target] = inside
            files[target] = sha256(destination)
    if version != old_version:
        for old_target in entry["pack"]:
            old_path = VENDOR / old_target
            if old_path.exists() and old_target not in pack:
                old_path.unlink()
                if old_path.parent != VENDOR and not any(old_path.parent.iterdir()):
                    old_path.parent.rmdir()
    # Files listed but not packed (e.g. notes written by hand) keep their description.
    for path, note in entry.get("files", {}).items():
        moved = _retarget(path, old_version, version)
        if moved not in files and not str(note).startswith("sha256:"):
            files[moved] = note
    updated = dict(entry)
    updated.update(
        version=version,
        source=f"https://www.npmjs.com/package/{entry['name']}/v/{version} "
        f"(npm pack {entry['name']}@{version})",
        files=files,
        pack=pack,
    )
    print(f"{key}: {entry['name']}@{version} ({len(pack)} files)")
    return updated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("packages", nargs="*", help="manifest keys or npm names (default: all)")
    parser.add_argument("--upgrade", action="store_true", help="take the newest version on npm")
    parser.add_argument("--within", help="with --upgrade: stay within this range, e.g. 5.3 or 2")
    args = parser.parse_args(argv)
    if shutil.which("npm") is None:
        sys.exit("npm is needed to refresh the vendored files (not to run the application)")
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    wanted = set(args.packages)
    unknown = wanted - set(manifest) - {e["name"] for e in manifest.values()}
    if unknown:
        sys.exit(f"not in {MANIFEST.name}: {', '.join(sorted(unknown))}")
    refreshed: dict[str, dict] = {}
    for key, entry in manifest.items():
        if wanted and key not in wanted and entry["name"] not in wanted:
            continue
        if "pack" not in entry:
            print(f"{key}: no 'pack' map, skipped")
            continue
        refreshed[key] = refresh(key, entry, upgrade=args.upgrade, within=args.within)
    # Read again: another entry may have been added while npm ran; replace only ours.
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    manifest.update(refreshed)
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

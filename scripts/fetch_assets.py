"""Fetch the book's front-end files from the npm registry and lay them out for the site.

The built book must render with no network, so MathJax 3, RequireJS and the ipywidgets HTML manager
are served from the site itself. Their versions are pinned in package.json, and package-lock.json
records each tarball's integrity hash, which `npm ci` verifies. This script

1. runs `npm ci` when node_modules/ is missing or was installed from another package-lock.json;
2. checks that each installed package has the pinned version;
3. copies the files the pages load into _vendor/vendor/ (git-ignored), which _config.yml lists in
   `html_extra_path`, so that Sphinx copies it to the site root as vendor/.

It does nothing when both are already up to date, so `make book` and `make test` can run it every time.

Usage: python scripts/fetch_assets.py [--force]
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "_vendor" / "vendor"
STAMP = ROOT / "_vendor" / ".package-lock.sha256"

# (npm package, folder inside the package, files or folders to copy, destination under vendor/)
LAYOUT = [
    (
        "mathjax",
        "es5",
        # tex-chtml.js loads TeX extensions, the menu and accessibility parts on demand from
        # these folders, and the CommonHTML fonts from output/chtml/fonts/woff-v2.
        ["tex-chtml.js", "input", "output", "ui", "a11y", "adaptors", "sre"],
        "mathjax",
    ),
    ("requirejs", "", ["require.js"], "requirejs"),
    (
        "@jupyter-widgets/html-manager",
        "dist",
        # embed-amd.js finds its font files next to itself.
        ["embed-amd.js", "*.woff", "*.woff2", "*.ttf", "*.eot", "*.svg"],
        "html-manager",
    ),
]


def lock_digest() -> str:
    """Digest of what the vendor folder is made from: the lock file and the course's own glue script."""
    h = hashlib.sha256((ROOT / "package-lock.json").read_bytes())
    h.update((ROOT / "scripts" / "widgets_offline.js").read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def npm_ci() -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(
            "fetch_assets: npm was not found. The book serves MathJax and the widget manager itself, "
            "fetched with npm: install Node.js 18 or newer (it includes npm) and run this again."
        )
    print("fetch_assets: npm ci (pinned versions from package-lock.json, integrity-checked)", flush=True)
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=ROOT,
        check=True,
    )


def installed_matches_lock() -> bool:
    """True when node_modules/ holds exactly what package-lock.json pins (npm's own record of it)."""
    hidden_lock = NODE_MODULES / ".package-lock.json"
    if not hidden_lock.exists():
        return False
    wanted = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    have = json.loads(hidden_lock.read_text())["packages"]
    return all(have.get(path, {}).get("version") == meta.get("version") for path, meta in wanted.items() if path)


def check_pins() -> None:
    manifest = json.loads((ROOT / "package.json").read_text())
    # devDependencies: axe-core, which the site check injects into every page (never served).
    pins = {**manifest["dependencies"], **manifest.get("devDependencies", {})}
    for name, version in pins.items():
        meta = json.loads((NODE_MODULES / name / "package.json").read_text())
        if meta["version"] != version:
            sys.exit(f"fetch_assets: {name} is {meta['version']} in node_modules, package.json pins {version}.")


def copy_layout() -> None:
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lines = ["Files served with the book, copied from the npm registry's packages by scripts/fetch_assets.py.", ""]
    for package, subdir, patterns, dest in LAYOUT:
        src_root = NODE_MODULES / package / subdir if subdir else NODE_MODULES / package
        dst_root = VENDOR / dest
        dst_root.mkdir(parents=True, exist_ok=True)
        for pattern in patterns:
            matches = sorted(src_root.glob(pattern))
            if not matches:
                sys.exit(f"fetch_assets: {package}: nothing matches {subdir}/{pattern}; was the version changed?")
            for src in matches:
                if src.is_dir():
                    shutil.copytree(src, dst_root / src.name)
                else:
                    shutil.copy2(src, dst_root / src.name)
        license_file = NODE_MODULES / package / "LICENSE"
        if license_file.exists():
            shutil.copy2(license_file, dst_root / "LICENSE")
        lines.append(f"- {dest}/: {package} {pins[package]}")
    # The course's own glue for the widget manager (not from npm): see the file's header.
    shutil.copy2(ROOT / "scripts" / "widgets_offline.js", VENDOR / "widgets-offline.js")
    lines.append("- widgets-offline.js: scripts/widgets_offline.js of this repository")
    (VENDOR / "README.txt").write_text("\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    force = "--force" in argv
    digest = lock_digest()
    if not force and STAMP.exists() and STAMP.read_text().strip() == digest and installed_matches_lock():
        print(f"fetch_assets: up to date ({VENDOR.relative_to(ROOT)})")
        return 0
    if force or not installed_matches_lock():
        npm_ci()
    check_pins()
    copy_layout()
    STAMP.write_text(digest + "\n")
    size = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    print(f"fetch_assets: wrote {VENDOR.relative_to(ROOT)} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

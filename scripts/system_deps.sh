#!/usr/bin/env bash
# Install the Debian packages the course can use, when they are missing and apt-get is usable.
#
#   scripts/system_deps.sh dataset-fashion-mnist [chromium] [texlive]
#
# - dataset-fashion-mnist: the data set, so that nothing has to be downloaded. Optional: without it,
#   `python -m mlp_core.data` downloads the files (on a machine that is online).
# - chromium: the browser of the site check in `make test` (driven by Playwright's Python package;
#   no browser is ever downloaded). Elsewhere, set CHROMIUM=/path/to/chromium-or-chrome.
# - texlive: what `make pdf` needs (scripts/pdf.py): xelatex and latexmk, the LaTeX packages of Sphinx's
#   and jupyter-book's classes, the DejaVu fonts, and pdftotext (poppler-utils) for its test.
#
# Runs apt-get as root, or through `sudo -n` when that works without a password; otherwise it only
# says what to install. It never fails the build by itself: what is really missing makes the step
# that needs it fail, with its own message.
set -uo pipefail

have_package() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

wanted=()
for package in "$@"; do
  case "$package" in
    dataset-fashion-mnist)
      if [ -d /usr/share/datasets/fashion-mnist ] || have_package dataset-fashion-mnist; then continue; fi
      ;;
    chromium)
      browser="${CHROMIUM:-/usr/bin/chromium}"
      if [ -x "$browser" ] || have_package chromium; then continue; fi
      ;;
    texlive)
      for tex_package in texlive-xetex latexmk texlive-latex-recommended texlive-latex-extra \
                         texlive-fonts-recommended fonts-dejavu poppler-utils; do
        have_package "$tex_package" || wanted+=("$tex_package")
      done
      continue
      ;;
  esac
  wanted+=("$package")
done

if [ ${#wanted[@]} -eq 0 ]; then
  echo "system_deps: nothing to install"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system_deps: not a Debian-like system; missing: ${wanted[*]}"
  echo "  - Fashion-MNIST: python -m mlp_core.data downloads it (needs the network once)."
  echo "  - chromium: install Chromium or Chrome and set CHROMIUM=/path/to/it for 'make test'."
  echo "  - texlive: for 'make pdf', install TeX Live with xelatex and latexmk, the DejaVu fonts and pdftotext."
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  run_as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run_as_root=(sudo -n)
else
  echo "system_deps: missing Debian packages: ${wanted[*]}"
  echo "  install them with: sudo apt-get install ${wanted[*]}"
  exit 0
fi

echo "system_deps: apt-get install ${wanted[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${run_as_root[@]}" apt-get update -qq; then
  echo "system_deps: apt-get update failed; continuing without ${wanted[*]}"
  exit 0
fi
for package in "${wanted[@]}"; do
  # One at a time: a package this distribution lacks must not stop the others.
  if ! "${run_as_root[@]}" apt-get install -y -qq --no-install-recommends "$package"; then
    echo "system_deps: could not install $package; continuing without it"
  fi
done
exit 0

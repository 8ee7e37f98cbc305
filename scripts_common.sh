# Shared by demo.sh and test.sh: make a virtual environment and install the toolkit into it.
# Works on a fresh Debian machine with Python 3.11 or newer.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Install Debian packages that are missing; quietly, once.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing ${missing[*]} (Debian packages)..."
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))." >&2; exit 2; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv; rm -rf .venv; "$PYTHON" -m venv .venv; }
fi
VENV_PY=.venv/bin/python

pip_install() {
  # pip's own chatter goes to .venv/pip.log; it is shown only if the install fails.
  "$VENV_PY" -m pip install -q "$@" >.venv/pip.log 2>&1 || {
    cat .venv/pip.log >&2
    echo "Installing the Python packages failed (messages above)." >&2
    exit 1
  }
}

pip_install --upgrade pip

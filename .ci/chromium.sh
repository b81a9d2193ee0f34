#!/usr/bin/env bash
# Browser tests need Debian's Chromium (Playwright's own browser download cannot work here) and the
# playwright Python package. Installs what is missing, quietly; prints nothing but optional export lines.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="$here/.venv/bin/python"
[ -x "$py" ] || py="$(command -v python3)"
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
    || echo "could not install chromium; browser tests will skip" >&2
fi
if ! "$py" -c "import playwright" >/dev/null 2>&1; then
  "$py" -m pip install --quiet playwright >/dev/null 2>&1 || echo "could not install playwright" >&2
fi
# Playwright must never try to fetch a browser of its own.
echo "export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1"

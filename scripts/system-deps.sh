#!/usr/bin/env bash
# System packages the test suite needs beyond Python and Node: Debian's Chromium
# (/usr/bin/chromium) for the browser tests, the Noto CJK fonts so that the
# console's Chinese text renders in headless screenshots, and influxd (Debian's
# influxdb) for the InfluxDB exporter's test, which starts its own server, and Debian's
# prometheus (the server and promtool) for the metrics scrape test and the alert-rule
# checks (deploy/prometheus), and the zh_CN.GB18030 locale the CTP library needs
# (scripts/ctp-locale.sh: Debian's locales + locale-gen). Installs what is
# missing when run as root; otherwise prints how to, and fails only under CI=true.
set -euo pipefail

bash "$(dirname "$0")/ctp-locale.sh"

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
# fonts-noto-cjk: Noto Sans/Serif CJK (SC, TC, JP, KR) for 中文 in screenshots
if ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed"; then
    missing+=(fonts-noto-cjk)
fi
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) and fonts-noto-cjk present"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    echo "system-deps: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}"
    /usr/bin/chromium --version
    exit 0
fi

echo "system-deps: missing ${missing[*]}; the browser tests need them. Install with:"
echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}"
if [[ ${CI:-} == true ]]; then
    exit 1
fi
echo "system-deps: continuing without them (browser tests will be skipped or render boxes for Chinese)"
exit 0

#!/usr/bin/env bash
# The zh_CN.GB18030 locale, without which the CTP library (openctp-ctp) aborts the
# process when it loads. Present: nothing to do. Missing and root: installs Debian's
# `locales` if needed, enables the locale in /etc/locale.gen and runs locale-gen.
# Missing otherwise: prints the command to run, and fails only under CI=true.
set -euo pipefail

have_locale() { locale -a 2>/dev/null | grep -qix 'zh_CN\.gb18030'; }

if have_locale; then
    echo "ctp-locale: zh_CN.GB18030 present"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    if [[ ! -d /usr/share/i18n/locales ]] || ! command -v locale-gen >/dev/null 2>&1; then
        echo "ctp-locale: installing locales with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y locales
    fi
    grep -qx 'zh_CN.GB18030 GB18030' /etc/locale.gen 2>/dev/null \
        || echo 'zh_CN.GB18030 GB18030' >>/etc/locale.gen
    locale-gen
    have_locale && { echo "ctp-locale: zh_CN.GB18030 generated"; exit 0; }
    echo "ctp-locale: locale-gen did not produce zh_CN.GB18030" >&2
    exit 1
fi

echo "ctp-locale: the zh_CN.GB18030 locale is missing; the CTP gateway and its tests need it."
echo "    Install as root: sudo bash scripts/ctp-locale.sh"
echo "    (or: sudo localedef -i zh_CN -f GB18030 zh_CN.GB18030)"
if [[ ${CI:-} == true ]]; then
    exit 1
fi
exit 0

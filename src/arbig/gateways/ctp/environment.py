"""What the CTP library needs from the machine, checked without loading it.

openctp-ctp's shared libraries build a C++ ``std::locale("zh_CN.GB18030")`` when they
load; where that locale is not installed the process aborts at import
("locale::facet::_S_create_c_locale name not valid"). So the locale is checked first,
through glibc's ``newlocale`` (no process-wide state changes), and only then is the
library imported.
"""

import ctypes
import ctypes.util
import importlib.util
import subprocess
import sys

from arbig.ctpconfig import CtpSettings
from arbig.gateways.ctp.settings import CtpSettingsError, resolve_login

CTP_LOCALE = "zh_CN.GB18030"
# glibc's LC_ALL_MASK: every category but LC_ALL itself (bit 6)
_LC_ALL_MASK = 0x1FBF

LOCALE_HINT = (
    f"the {CTP_LOCALE} locale is missing (the CTP library aborts without it); as root run "
    "scripts/system-deps.sh, or: localedef -i zh_CN -f GB18030 zh_CN.GB18030"
)


def locale_available(name: str = CTP_LOCALE) -> bool:
    """Whether the C library can build ``name`` (as the CTP library will at load)."""
    libc_name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(libc_name)
        newlocale = libc.newlocale
        freelocale = libc.freelocale
    except (OSError, AttributeError, TypeError):
        return _locale_in_subprocess(name)
    newlocale.restype = ctypes.c_void_p
    newlocale.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
    freelocale.argtypes = [ctypes.c_void_p]
    handle = newlocale(_LC_ALL_MASK, name.encode(), None)
    if not handle:
        return False
    freelocale(handle)
    return True


def _locale_in_subprocess(name: str) -> bool:
    code = f"import locale; locale.setlocale(locale.LC_ALL, {name!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
    return done.returncode == 0


def library_installed() -> bool:
    """Whether openctp-ctp is installed (found without importing it)."""
    return importlib.util.find_spec("openctp_ctp") is not None


def ctp_problems(settings: CtpSettings, *, trader: bool = True) -> list[str]:
    """What stops a CTP session from starting, each in a few words; empty when ready.

    The library and the locale come first: without them nothing else matters and the
    library must not be imported."""
    problems: list[str] = []
    if not library_installed():
        problems.append("the openctp-ctp package is not installed (make setup)")
    if not locale_available():
        problems.append(LOCALE_HINT)
    try:
        login = resolve_login(settings)
    except CtpSettingsError as exc:
        problems.append(str(exc))
    else:
        missing = login.missing(trader=trader, market_data=True)
        if missing:
            problems.append("CTP settings missing: " + ", ".join(missing) + " (see docs/ctp.md)")
    return problems

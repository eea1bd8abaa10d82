"""Print the console API's OpenAPI document (JSON) without starting anything.

The app is built as the tests build it, but its lifespan never runs: no database,
no simulated market, nothing written. ``make types`` feeds this to
openapi-typescript to write frontend/src/api/schema.d.ts.
"""

import json
import os
import sys
import tempfile
from pathlib import Path


def main() -> None:
    for key in [k for k in os.environ if k.startswith("ARBIG_")]:
        del os.environ[key]  # the document must not depend on the caller's settings
    from arbig.config import Settings
    from arbig.embedded import embedded_app

    with tempfile.TemporaryDirectory() as data_dir:
        document = embedded_app(Settings(data_dir=Path(data_dir))).openapi()
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

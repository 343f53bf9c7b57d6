"""Refit the quality scale on the bundled catalog and write src/llm_pick/scoring/quality_fit.py.

python tools/fit_quality.py          # write
python tools/fit_quality.py --check  # exit 1 when the shipped file is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from llm_pick import load_catalog
from llm_pick.scoring.quality_calibrate import fit, render

TARGET = Path(__file__).parents[1] / "src" / "llm_pick" / "scoring" / "quality_fit.py"


def main(argv: list[str]) -> int:
    text = render(fit(load_catalog()))
    if "--check" in argv:
        stale = TARGET.read_text(encoding="utf-8") != text
        print("stale" if stale else "current")
        return 1 if stale else 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

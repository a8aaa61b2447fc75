#!/usr/bin/python3
"""The bad-input table of docs/reliability.md, from the records the pipelines'
bad-input tests write (tests/support/bad_input.py: <ctest dir>/bad_inputs/*.json).

    ctest --test-dir build-release -R bad_input
    tools/bad_input_table.py build-release > table.md     # the table and the counts

Exits 1 when a recorded case failed, so a stale table is not made from a red run.
"""
import glob
import json
import os
import sys

ORDER = ["healpix", "subband", "raster", "tiles"]


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build-release"
    rows = []
    for path in glob.glob(os.path.join(build, "**", "bad_inputs", "*.json"), recursive=True):
        with open(path) as f:
            rows += json.load(f)
    if not rows:
        sys.exit(f"no bad_inputs/*.json under {build}: run ctest -R bad_input first")
    rows.sort(key=lambda r: (ORDER.index(r["pipeline"]) if r["pipeline"] in ORDER else 9))
    print("| pipeline | step | bad input | ranks | exit | message (excerpt) | outputs left | good items |")
    print("|---|---|---|---:|---:|---|---:|---|")
    for r in rows:
        msg = r["message"].replace("|", "\\|").replace("`", "'")
        good = (f"{r['good_items_checked'] - r['good_items_lost']} of {r['good_items_checked']} intact"
                if r["good_items_checked"] else "-")
        exit_code = str(r["exit"]) if r["exit"] == r["expected_exit"] else \
            f"**{r['exit']}** (want {r['expected_exit']})"
        print(f"| {r['pipeline']} | {r['step']} | {r['input']} | {r['ranks']} | {exit_code} | "
              f"`{msg}` | {r['outputs_left']} | {good} |")
    print()
    counts = {}
    for r in rows:
        counts.setdefault(r["pipeline"], [0, 0])
        counts[r["pipeline"]][0] += 1
        counts[r["pipeline"]][1] += r["passed"]
    print(", ".join(f"{p}: {n} cases ({ok} pass)" for p, (n, ok) in counts.items()) +
          f"; all: {len(rows)} cases, {sum(r['passed'] for r in rows)} pass, "
          f"{sum(r['outputs_left'] for r in rows)} outputs left, "
          f"{sum(r['good_items_lost'] for r in rows)} good items lost")
    sys.exit(0 if all(r["passed"] for r in rows) else 1)


if __name__ == "__main__":
    main()

"""Tile rounds (--memory-mb, and c2c's --round-mb): c2c and m3c2 outputs are byte-identical with a
budget that forces several rounds and without one, at 1, 2 and 4 ranks and
for two tile sizes; the number of rounds is in the summary, the perf report
and the log; a tile above the budget is processed alone with a warning."""
import json
import os

from tessera_test import TestRun, mpirun_tessera, scratch

t = TestRun("tiles rounds")
work = scratch("tiles_rounds")


def run(ranks, args, code=0, what=None):
    r = mpirun_tessera(ranks, args + ["--no-progress"])
    t.check(r.returncode == code, what or f"{' '.join(map(str, args[:2]))} on {ranks} ranks exits {code}",
            r.stderr[-3000:] if r.returncode != code else None)
    return r


def read(p):
    with open(p, "rb") as f:
        return f.read()


def find_key(doc, key):
    """The value of `key` anywhere in a JSON document (None if absent)."""
    if isinstance(doc, dict):
        if key in doc:
            return doc[key]
        doc = list(doc.values())
    if isinstance(doc, list):
        for v in doc:
            found = find_key(v, key)
            if found is not None:
                return found
    return None


run(2, ["synth", "tiles", "--out", work, "--scale", "tiny"])
A, B = os.path.join(work, "A.las"), os.path.join(work, "B.las")

# 0.25 MiB = 5461 points of 48 bytes per rank and round: the tiny pair
# (2 x 48000 points + halos) needs >= 3 rounds even on 4 ranks.
BUDGET = "0.25"
STEPS = {
    "c2c": (["--max-dist", "1.0"], (13, 40)),
    "m3c2": (["--normal-radius", "1.0", "--cyl-radius", "1.0", "--max-depth", "4", "--core-step", "7"],
             (11, 40)),
}
for step, (opts, tiles) in STEPS.items():
    for tile in tiles:
        ref = None
        for n in (1, 2, 4):
            base = os.path.join(work, f"{step}_t{tile}_n{n}")
            run(n, ["tiles", step, "--a", A, "--b", B, "--tile-size", tile, "--out", base + "_all.las"] + opts)
            perf = base + "_perf.json"
            r = run(n, ["tiles", step, "--a", A, "--b", B, "--tile-size", tile, "--memory-mb", BUDGET,
                        "--perf-report", perf, "--out", base + "_rounds.las"] + opts)
            whole = read(base + "_all.las")
            ref = ref or whole
            t.check(read(base + "_rounds.las") == whole,
                    f"{step} tile {tile} at {n} ranks: rounds output is byte-identical to one round")
            t.check(whole == ref, f"{step} tile {tile} at {n} ranks: identical to 1 rank")
            s_all = json.load(open(base + "_all.las.summary.json"))
            s_r = json.load(open(base + "_rounds.las.summary.json"))
            t.check(s_all["rounds"] == 1, f"{step} without a budget runs 1 round", s_all.get("rounds"))
            t.check(s_r["rounds"] >= 3, f"{step} tile {tile} at {n} ranks: >= 3 rounds ({s_r['rounds']})",
                    s_r.get("rounds"))
            if "more than the --memory-mb budget" not in r.stderr:
                t.check(0 < s_r["max_round_points"] <= s_r["round_budget_points"] == int(0.25 * 2**20 / 48),
                        f"{step} at {n} ranks: no round holds more than the budget",
                        (s_r.get("max_round_points"), s_r.get("round_budget_points")))
            rep = json.load(open(perf))
            t.check(find_key(rep, "tile_rounds") == str(s_r["rounds"]),
                    f"{step} at {n} ranks: the perf report gives the rounds", find_key(rep, "tile_rounds"))
            t.check(f"{s_r['rounds']} round(s) within --memory-mb" in r.stderr,
                    f"{step} at {n} ranks: the log gives the rounds", r.stderr[-1500:])

# One tile holding everything: above any small budget, processed alone with
# a warning, same output as without a budget.
big = os.path.join(work, "c2c_big")
run(2, ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", "1.0", "--tile-size", "500", "--out", big + "_all.las"])
r = run(2, ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", "1.0", "--tile-size", "500",
            "--memory-mb", "0.01", "--out", big + "_rounds.las"])
t.check("more than the --memory-mb budget" in r.stderr, "a tile above the budget is warned about",
        r.stderr[-1500:])
t.check(read(big + "_rounds.las") == read(big + "_all.las"), "a tile above the budget still gives the same output")

# c2c's working-set rounds (--round-mb, default 64 MiB: the tiny pair fits
# one round): a small cap alone gives several rounds and the same bytes, at
# 1, 2 and 4 ranks; a smaller --memory-mb takes precedence.
whole = read(os.path.join(work, "c2c_t13_n1_all.las"))
for n in (1, 2, 4):
    base = os.path.join(work, f"c2c_roundmb_n{n}")
    r = run(n, ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", "1.0", "--tile-size", "13",
                "--round-mb", BUDGET, "--out", base + ".las"])
    s = json.load(open(base + ".las.summary.json"))
    t.check(read(base + ".las") == whole, f"c2c --round-mb at {n} ranks: the same bytes as one round")
    t.check(s["rounds"] >= 3 and s["round_mb"] == float(BUDGET) and s["memory_mb"] == 0,
            f"c2c --round-mb at {n} ranks: >= 3 rounds, in the summary", (s.get("rounds"), s.get("round_mb")))
    t.check(f"{s['rounds']} round(s) within --round-mb" in r.stderr, f"c2c --round-mb at {n} ranks: logged",
            r.stderr[-1500:])
r = run(2, ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", "1.0", "--tile-size", "13",
            "--round-mb", "64", "--memory-mb", BUDGET, "--out", os.path.join(work, "c2c_both.las")])
t.check("round(s) within --memory-mb" in r.stderr, "c2c: --memory-mb, when set, governs the rounds",
        r.stderr[-1500:])
# --round-mb is a speed cap, not a memory limit: below every tile's points it
# is raised to the largest tile (rounds of one tile, no warning, same bytes);
# 0 = one round.
for mb, what in (("0.001", "below every tile"), ("0", "no cap")):
    out = os.path.join(work, f"c2c_roundmb_{mb}.las")
    r = run(2, ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", "1.0", "--tile-size", "13",
                "--round-mb", mb, "--out", out])
    s = json.load(open(out + ".summary.json"))
    t.check(read(out) == whole, f"c2c --round-mb {mb} ({what}): the same bytes")
    t.check("more than the" not in r.stderr, f"c2c --round-mb {mb}: no oversized-tile warning", r.stderr[-800:])
    t.check((s["rounds"] >= 3) if mb != "0" else (s["rounds"] == 1), f"c2c --round-mb {mb}: rounds",
            s.get("rounds"))

# Bad budget: usage error naming the option, no output.
bad = os.path.join(work, "bad.las")
r = run(2, ["tiles", "c2c", "--a", A, "--b", B, "--memory-mb", "-1", "--out", bad], 2,
        "a negative --memory-mb exits 2")
t.check("--memory-mb" in r.stderr and not os.path.exists(bad), "the error names --memory-mb; no output",
        r.stderr[-800:])
r = run(2, ["tiles", "c2c", "--a", A, "--b", B, "--round-mb", "-1", "--out", bad], 2,
        "a negative --round-mb exits 2")
t.check("--round-mb" in r.stderr and not os.path.exists(bad), "the error names --round-mb; no output",
        r.stderr[-800:])
t.done()

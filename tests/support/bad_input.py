"""Bad-input cases of a pipeline, checked alike and recorded for docs/reliability.md.

    from bad_input import BadInputs
    b = BadInputs(t, "tiles")
    r = mpirun_tessera(2, ["tiles", "dod", "--a", empty, ...])
    b.case("dod", "epoch A is an empty file", r, code=3, names=[empty], says="empty",
           absent=[out], dirs=[work])
    ...
    b.done()      # writes bad_inputs/<pipeline>.json beside the test, then call t.done()

Each case asserts, on the TestRun t: the exact exit code; that stderr names
each of `names` (the offending file or option) and holds the phrase `says`
(what is wrong); that none of `absent` (outputs under their final names,
files or glob patterns) exists and that `dirs` hold no temporary
(`.name.tmp.<pid>`) file; and that each of `intact` (the good items' outputs,
when the step handles several items) exists. The record (one row per case)
is what `tools/bad_input_table.py` turns into the table of docs/reliability.md.
"""
import glob
import json
import os
import re

from tessera_test import TEST_DATA, temporaries


class BadInputs:
    def __init__(self, t, pipeline):
        self.t = t
        self.pipeline = pipeline
        self.rows = []

    def case(self, step, what, r, code, names, says, absent=(), dirs=(), intact=(), ranks=2):
        t = self.t
        label = f"{step}: {what}"
        ok = t.check(r.returncode == code, f"{label}: exit {code}",
                     (r.returncode, r.stderr[-1500:]))
        missing = [n for n in names if n not in r.stderr]
        ok &= t.check(not missing, f"{label}: message names {[os.path.basename(n) for n in names]}",
                      (missing, r.stderr[-1500:]))
        ok &= t.check(says in r.stderr, f"{label}: message says '{says}'", r.stderr[-1500:])
        left = [p for pattern in absent for p in glob.glob(pattern, recursive=True)]
        left += [os.path.join(d, f) for d in dirs for f in temporaries(d)]
        ok &= t.check(not left, f"{label}: no output or temporary left", left)
        lost = [p for p in intact if not glob.glob(p, recursive=True)]
        if intact:
            ok &= t.check(not lost, f"{label}: the good items' outputs are there", lost)
        self.rows.append({
            "pipeline": self.pipeline, "step": step, "input": what, "ranks": ranks,
            "exit": r.returncode, "expected_exit": code, "message": excerpt(r.stderr, says),
            "outputs_left": len(left), "good_items_checked": len(intact),
            "good_items_lost": len(lost), "passed": bool(ok)})
        return ok

    def done(self):
        d = os.path.join(os.getcwd(), "bad_inputs")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, self.pipeline + ".json"), "w") as f:
            json.dump(self.rows, f, indent=1)
        print(f"{self.pipeline}: {len(self.rows)} bad-input cases recorded "
              f"({sum(r['passed'] for r in self.rows)} passed)")


def short_path(path):
    """A path as the table shows it: relative to the test's scratch directory,
    tests/data/... for the committed inputs, else its last part."""
    scratch = os.path.join(os.getcwd(), "scratch") + os.sep
    if path.startswith(scratch):
        rest = path[len(scratch):].split(os.sep, 1)  # drop the test's own directory
        return rest[1] if len(rest) > 1 else rest[0]
    data = os.path.join(TEST_DATA, "")
    if path.startswith(data):
        return "tests/data/" + path[len(data):]
    return os.path.basename(path.rstrip(os.sep)) or path


def excerpt(stderr, says, width=160):
    """The stderr line holding `says`, without the log prefix, the collective
    wrapper ("X failed on 2 of 2 ranks: ... (ranks 0-1)") and absolute paths,
    at most `width` characters around the phrase."""
    for line in stderr.splitlines():
        if says in line:
            break
    else:
        return ""
    line = re.sub(r"^\s*\[[^]]*\]\s*", "", line)  # "[ 1.2 r0 ERROR] "
    line = re.sub(r"^.*? failed on \d+ of \d+ ranks?: ", "", line)
    line = re.sub(r" \(ranks? [\d, -]+\)$", "", line)
    line = re.sub(r"(?<![\w.])/[^\s'\"(),;\[\]]+", lambda m: short_path(m.group(0).rstrip(":")) +
                  (":" if m.group(0).endswith(":") else ""), line)
    line = line.strip()
    if len(line) > width:
        i = line.find(says)
        start = max(0, min(i - width // 3, len(line) - width))
        line = ("..." if start else "") + line[start:start + width] + \
            ("..." if start + width < len(line) else "")
    return line

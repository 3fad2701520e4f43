#!/usr/bin/env python3
"""Runs lmms-eval's own clustered standard error and our intervals on the same MMVP answers.

lmms-eval (v0.6, lmms_eval/api/metrics.py) reports, per task, a CLT standard error (`mean_stderr`)
and a clustered one (`clustered_stderr`, Equation 4 of Miller 2024, arXiv 2411.00640), each read as
the normal interval mean +- 1.96 se. This script loads those functions from a checkout of
lmms-eval given on the command line (never committed here): importing `lmms_eval.api.metrics`
needs sacrebleu and lmms-eval's registry, which are not installed, so the functions are taken out of
the file with `ast` (decorators dropped, source unchanged otherwise) and executed alone. Their
`power_analysis` imports `scipy.stats` for the normal quantile and cdf; scipy is not installed, so
it runs against a stand-in `scipy.stats.norm` built on Python's `statistics.NormalDist`.

Our intervals come from @mmvp/metrics itself (packages/metrics/dist, built): `wilsonInterval` for
pair accuracy and `clusteredWilsonInterval` (pair as the cluster) for per-question accuracy, run by
node on the same answers, and checked against the mllm-scores.json the demo wrote.

Answers: the `answers.jsonl` of an `mmvp demo` results folder (one line per question, `model`,
`question_id`, `correct`; questions 2k - 1 and 2k are pair k), plus constructed edge cases.

Run (python3-numpy is not needed by these functions; /usr/bin/python3 is Debian's):
  /usr/bin/python3 tools/compare_lmms_eval_clustered_se.py --lmms-eval /path/to/lmms-eval --demo /tmp/stats-demo
"""
import argparse
import ast
import collections
import json
import math
import pathlib
import statistics
import subprocess
import sys
import types
import typing

REPO = pathlib.Path(__file__).resolve().parent.parent
WANTED = ["mean", "sample_stddev", "mean_stderr", "clustered_stderr", "power_analysis"]


def load_lmms_eval_functions(checkout: pathlib.Path) -> dict:
    """The WANTED functions of lmms_eval/api/metrics.py, extracted with ast and executed alone."""
    source_path = checkout / "lmms_eval" / "api" / "metrics.py"
    source = source_path.read_text()
    tree = ast.parse(source)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in WANTED:
            node.decorator_list = []  # @register_aggregation / @register_metric need lmms-eval's registry
            found[node.name] = node
    missing = [name for name in WANTED if name not in found]
    if missing:
        sys.exit(f"{source_path}: no function(s) {', '.join(missing)}; is this lmms-eval v0.6 or later?")
    module = ast.Module(body=[found[name] for name in WANTED], type_ignores=[])
    # scipy.stats stand-in for power_analysis (norm.ppf / norm.cdf only)
    normal = statistics.NormalDist()
    scipy = types.ModuleType("scipy")
    scipy.stats = types.SimpleNamespace(norm=types.SimpleNamespace(ppf=normal.inv_cdf, cdf=normal.cdf))
    sys.modules.setdefault("scipy", scipy)
    sys.modules.setdefault("scipy.stats", scipy.stats)
    namespace = {"collections": collections, "math": math, "List": typing.List, "Any": typing.Any}
    exec(compile(module, str(source_path), "exec"), namespace)
    return {name: namespace[name] for name in WANTED}


def ours(cases: list) -> list:
    """Our intervals from @mmvp/metrics (built dist), computed by node on the same answers."""
    dist = REPO / "packages" / "metrics" / "dist" / "index.js"
    if not dist.exists():
        sys.exit(f"{dist} is missing: run `pnpm --filter @mmvp/metrics build` first")
    script = (
        f"import {{ wilsonInterval, clusteredWilsonInterval }} from {json.dumps(dist.as_uri())};"
        "let text = ''; process.stdin.on('data', (c) => (text += c)); process.stdin.on('end', () => {"
        "const cases = JSON.parse(text);"
        "const out = cases.map((pairs) => {"
        "  const right = pairs.filter((p) => p[0] + p[1] === 2).length;"
        "  const q = clusteredWilsonInterval(pairs.map((p) => [p[0] + p[1], 2]));"
        "  return { pair: wilsonInterval(right, pairs.length), question: q.ci95, designEffect: q.designEffect };"
        "}); process.stdout.write(JSON.stringify(out)); });"
    )
    done = subprocess.run(["node", "--input-type=module", "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def normal_interval(mean: float, se: float) -> tuple:
    return (100 * (mean - 1.96 * se), 100 * (mean + 1.96 * se))


def fmt(interval) -> str:
    return f"[{interval[0]:.1f}, {interval[1]:.1f}]"


def demo_cases(folder: pathlib.Path) -> list:
    """(name, pairs) per model of a demo's answers.jsonl; pairs = [[first right, second right], ...]."""
    answers = collections.defaultdict(dict)
    for line in (folder / "answers.jsonl").read_text().splitlines():
        record = json.loads(line)
        answers[record["model"]][int(record["question_id"])] = 1 if record["correct"] else 0
    cases = []
    for model, by_id in answers.items():
        ids = sorted(by_id)
        if len(ids) % 2 or ids != list(range(1, len(ids) + 1)):
            sys.exit(f"{folder / 'answers.jsonl'}: model {model}: question_id must run 1..2n (pairs 2k-1, 2k)")
        cases.append((model, [[by_id[i], by_id[i + 1]] for i in range(1, len(ids) + 1, 2)]))
    return cases


def edge_cases() -> list:
    return [
        ("150 pairs, all wrong", [[0, 0]] * 150),
        ("150 pairs, all right", [[1, 1]] * 150),
        ("150 pairs, one right per pair (always 'a')", [[1, 0]] * 150),
        ("15 pairs, 1 right (a per-pattern score)", [[1, 1]] + [[0, 1]] * 7 + [[0, 0]] * 7),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lmms-eval", required=True, type=pathlib.Path, help="a checkout of EvolvingLMMs-Lab/lmms-eval (v0.6 or later)")
    parser.add_argument("--demo", type=pathlib.Path, help="an `mmvp demo` results folder (answers.jsonl, mllm-scores.json)")
    args = parser.parse_args()
    theirs = load_lmms_eval_functions(args.lmms_eval)
    cases = (demo_cases(args.demo) if args.demo else []) + edge_cases()
    mine = ours([pairs for _, pairs in cases])
    if args.demo:  # our node run must agree with what the demo printed
        printed = {m["name"]: m for m in json.loads((args.demo / "mllm-scores.json").read_text())["models"]}
        for (name, _), our in zip(cases, mine):
            if name in printed:
                for key, field in (("pair", "pairAccuracyCi95"), ("question", "questionAccuracyCi95")):
                    if max(abs(a - b) for a, b in zip(our[key], printed[name][field])) > 1e-6:
                        sys.exit(f"{name}: {field} {printed[name][field]} in mllm-scores.json, {our[key]} here")
    header = "| answers | pairs | pair acc. | lmms-eval (clustered = CLT here), 95% normal | ours: Wilson | question acc. | lmms-eval CLT | lmms-eval clustered (pair) | ours: clustered Wilson (design effect) |"
    print(header)
    print("|" + "---|" * header.count(" | ") + "---|")
    for (name, pairs), our in zip(cases, mine):
        pair_scores = [1.0 if a + b == 2 else 0.0 for a, b in pairs]
        question_scores = [float(s) for pair in pairs for s in pair]
        cluster_ids = [k for k in range(len(pairs)) for _ in range(2)]
        pair_mean = sum(pair_scores) / len(pair_scores)
        question_mean = sum(question_scores) / len(question_scores)
        pair_se = theirs["clustered_stderr"](pair_scores, list(range(len(pairs))))  # one pair per cluster
        clt_se = theirs["mean_stderr"](question_scores)
        clustered_se = theirs["clustered_stderr"](question_scores, cluster_ids)
        print(
            f"| {name} | {len(pairs)} | {100 * pair_mean:.1f} | {fmt(normal_interval(pair_mean, pair_se))} (se {100 * pair_se:.2f}) | {fmt(our['pair'])} "
            f"| {100 * question_mean:.1f} | {fmt(normal_interval(question_mean, clt_se))} | {fmt(normal_interval(question_mean, clustered_se))} (se {100 * clustered_se:.2f}) "
            f"| {fmt(our['question'])} ({our['designEffect']:.2f}) |"
        )
    print()
    analysis = theirs["power_analysis"]
    print("lmms-eval power_analysis (paired t-test; its defaults: sd 0.5 per model, correlation 0.5; 80% power, two-sided 5%):")
    print(f"  pairs for 3 points: {analysis(0.03)['min_n']}; for 3.3 points: {analysis(0.033)['min_n']}; 1,800 pairs detect {100 * analysis(0.03, current_n=1800)['min_detectable_effect']:.2f} points")


if __name__ == "__main__":
    main()

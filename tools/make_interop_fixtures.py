#!/usr/bin/env python3
"""Writes the interop fixtures by running the peers' OWN code (nothing of theirs is committed).

The peers' files are read from checkouts given on the command line (e.g. `git archive` of the
pinned commits into a scratch folder); functions are loaded from their source as they are, with
only the imports that reach a model, a network or a heavy library (loguru, datasets, torch)
replaced by stubs.

  questions  packages/study/src/mmvp/__fixtures__/lmms-eval-missing-pair/Questions.csv: 150 pairs,
             distinct questions, gold order random per pair (seed 29); Index 100 and 280 are (b).
  samples    from the metadata.jsonl that `mmvp export --to hf` wrote for that folder with image 5
             missing (rows Index 1-4, 7-300): the samples files lmms-eval writes, made by
             lmms-eval's mmvp task functions (tasks/mmvp/utils.py) and its own
             EvaluationTracker.save_results_samples (loggers/evaluation_tracker.py:240-300), and the
             scores its aggregation functions give:
               samples_mmvp_local.jsonl           documents in metadata order (the order of the report)
               samples_mmvp_local_by_name.jsonl   documents in file-name order (images/1, 10, 100, ...)
               samples_mmvp_local_v0.6.jsonl      the same run through utils.py of 34465550 (lmms-eval
                                                  v0.6/v0.6.1: gold of Index 100 and 280 forced to A)
               expected.json                      sha256 of the metadata.jsonl, each file's scores
  peer-files packages/datasets/src/__fixtures__/cambrian-answers.jsonl and vlmevalkit-predictions.json:
             the records as Cambrian's mmvp_eval.py:150-157 and VLMEvalKit's dump_json write them.
  vlmevalkit-parse packages/metrics/src/__fixtures__/vlmevalkit-can-infer.json: what VLMEvalKit's
             can_infer reads from answers in the original MMVP format (lowercase (a)).
  prompts    packages/decoder/src/__fixtures__/peer-prompts.json: question texts built by
             evaluate_mllm.py:59, lmms-eval's mmvp_doc_to_text and Cambrian's process() on option
             strings synth never makes (read from a CSV with Python's csv module, as Cambrian does;
             evaluate_mllm.py's pandas.read_csv keeps the same fields: no skipinitialspace, no strip).

The peers' files, from their pinned commits (a bare clone of each is enough):
  git --git-dir=<lmms-eval>.git archive 75571cf lmms_eval/tasks/mmvp lmms_eval/utils.py \
      lmms_eval/loggers/evaluation_tracker.py | tar -x -C /tmp/peers/lmms-eval
  git --git-dir=<lmms-eval>.git archive 34465550 lmms_eval/tasks/mmvp | tar -x -C /tmp/peers/lmms-eval-34465550
  git --git-dir=<cambrian>.git archive 539ffc3 eval/eval/mmvp | tar -x -C /tmp/peers/cambrian
  git --git-dir=<MMVP>.git archive 7635005 scripts | tar -x -C /tmp/peers/mmvp
  git --git-dir=<VLMEvalKit>.git archive e8e78f0 vlmeval/utils/matching_util.py | tar -x -C /tmp/peers/vlmevalkit
Python 3 with numpy (Debian's python3-numpy) is all it needs.

Run:
  python3 tools/make_interop_fixtures.py questions
  node apps/cli/dist/cli.js export --to hf --data <folder with that CSV, images 1-300 but 5> --out <hf> --name mmvp_local
  python3 tools/make_interop_fixtures.py samples --lmms-eval /tmp/peers/lmms-eval \
      --lmms-eval-v06 /tmp/peers/lmms-eval-34465550 --metadata <hf>/metadata.jsonl
  python3 tools/make_interop_fixtures.py prompts --lmms-eval /tmp/peers/lmms-eval \
      --cambrian /tmp/peers/cambrian --mmvp /tmp/peers/mmvp
  python3 tools/make_interop_fixtures.py peer-files
  python3 tools/make_interop_fixtures.py vlmevalkit-parse --vlmevalkit /tmp/peers/vlmevalkit
(The test writes the same 1x1 PNG for every image; the export's metadata.jsonl does not depend on it.)
"""
import argparse
import ast
import csv
import hashlib
import importlib.util
import io
import json
import pathlib
import random
import sys
import tempfile
import types

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "packages" / "study" / "src" / "mmvp" / "__fixtures__" / "lmms-eval-missing-pair"
PROMPTS_FILE = ROOT / "packages" / "decoder" / "src" / "__fixtures__" / "peer-prompts.json"


class _Logger:
    def __getattr__(self, _name):
        return lambda *args, **kwargs: None


def _stub_loguru():
    sys.modules.setdefault("loguru", types.SimpleNamespace(logger=_Logger()))


def load_module(path, name):
    _stub_loguru()
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def functions_from(path, names, namespace, class_name=None):
    """Compiles the named top-level functions (or methods of class_name) of a file into namespace."""
    tree = ast.parse(pathlib.Path(path).read_text(encoding="utf-8"))
    body = tree.body
    if class_name is not None:
        body = next(node for node in body if isinstance(node, ast.ClassDef) and node.name == class_name).body
    found = [node for node in body if isinstance(node, ast.FunctionDef) and node.name in names]
    assert sorted(node.name for node in found) == sorted(names), f"{path}: found {[n.name for n in found]}"
    for node in found:
        node.decorator_list = []
    exec(compile(ast.Module(body=found, type_ignores=[]), str(path), "exec"), namespace)
    return namespace


# --- questions --------------------------------------------------------------------------------

OBJECTS = ["dog", "cat", "bird", "car", "bus", "horse", "fish", "duck", "truck", "rabbit", "owl", "cow", "sheep", "goat", "deer",
           "bear", "fox", "lion", "tiger", "zebra", "frog", "snail", "crab", "whale", "train", "boat", "plane", "bicycle", "tractor", "camel"]
TEMPLATES = [
    ("Is the {o} facing left or right?", "(a) Left (b) Right"),
    ("Is the {o} standing or lying down?", "(a) Standing (b) Lying down"),
    ("Is there a shadow under the {o}?", "(a) Yes (b) No"),
    ("Is the {o} in the front or at the back?", "(a) Front (b) Back"),
    ("Are the {o}'s eyes open?", "(a) Yes (b) No"),
]


def write_questions():
    rng = random.Random(29)
    rows = [["Index", "Question", "Options", "Correct Answer"]]
    for pair in range(150):
        template, options = TEMPLATES[pair % len(TEMPLATES)]
        question = template.format(o=OBJECTS[pair // len(TEMPLATES)])
        first = "(a)" if pair in (49, 139) else rng.choice(["(a)", "(b)"])  # Index 99/100 and 279/280: (a) then (b)
        second = "(b)" if first == "(a)" else "(a)"
        rows.append([2 * pair + 1, question, options, first])
        rows.append([2 * pair + 2, question, options, second])
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    with open(SAMPLES_DIR / "Questions.csv", "w", newline="", encoding="utf-8") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)
    print(f"wrote {SAMPLES_DIR / 'Questions.csv'} ({len(rows) - 1} rows)")


# --- samples ----------------------------------------------------------------------------------

def stub_response(rng, gold):
    """A stub model: right most of the time, in the answer forms both graders read alike."""
    letter = gold if rng.random() > 0.04 else ("B" if gold == "A" else "A")
    return rng.choice([letter, f"{letter}.", f"({letter})", f"The answer is {letter}."])


def default_post_prompt(lmms_root):
    """The mmvp task's default post_prompt, read from _default_template_yaml:20-23 (a YAML double-quoted string)."""
    text = (lmms_root / "lmms_eval" / "tasks" / "mmvp" / "_default_template_yaml").read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.strip().startswith("post_prompt:"))
    return json.loads(line.split(":", 1)[1].strip())


def lmms_eval_samples(lmms_root, utils_path, docs, responses, out_file):
    """One lmms-eval run of the mmvp task over docs: the per-sample records evaluator.py builds
    (evaluator.py:1250-1296 at 75571cf), written by EvaluationTracker.save_results_samples."""
    utils = load_module(utils_path, f"mmvp_utils_{abs(hash(str(utils_path)))}")
    namespace = {"json": json, "Path": pathlib.Path, "eval_logger": _Logger(), "np": __import__("numpy"), "hashlib": hashlib}
    functions_from(lmms_root / "lmms_eval" / "utils.py", ["hash_string", "handle_non_serializable", "sanitize_list"], namespace)
    functions_from(lmms_root / "lmms_eval" / "loggers" / "evaluation_tracker.py", ["save_results_samples"], namespace, class_name="EvaluationTracker")
    post_prompt = default_post_prompt(lmms_root)
    samples, results = [], []
    for doc_id, (doc, response) in enumerate(zip(docs, responses)):
        context = utils.mmvp_doc_to_text(doc, {"pre_prompt": "", "post_prompt": post_prompt})
        metrics = utils.mmvp_process_results(doc, [response])
        results.append(metrics["mmvp_accuracy"])
        example = {
            "doc_id": doc_id,
            "doc": {k: v for k, v in doc.items() if k != "image"},  # is_multimodal_content drops the PIL image
            "target": utils.mmvp_doc_to_target(doc),
            "arguments": [context, {"max_new_tokens": 16, "temperature": 0, "do_sample": False}, doc_id, "mmvp_local", "train"],
            "resps": [[response]],
            "filtered_resps": [response],
            "token_counts": [None],
            "doc_hash": namespace["hash_string"](json.dumps(doc, indent=2, default=namespace["handle_non_serializable"], ensure_ascii=False)),
        }
        example.update(metrics)
        samples.append(example)
    with tempfile.TemporaryDirectory() as scratch:
        tracker = types.SimpleNamespace(
            output_path=scratch, general_config_tracker=types.SimpleNamespace(model_name_sanitized="stub"), date_id="20261207T000000", api=None, push_samples_to_hub=False
        )
        namespace["save_results_samples"](tracker, "mmvp_local", samples)
        written = pathlib.Path(scratch, "stub", "20261207T000000_samples_mmvp_local.jsonl").read_text(encoding="utf-8")
    (SAMPLES_DIR / out_file).write_text(written, encoding="utf-8")
    return {"file": out_file, "mmvp_accuracy": utils.mmvp_aggregate_results(results), "mmvp_pair_accuracy": utils.mmvp_aggregate_pair_results(results),
            "records": len(results), "correct": sum(1 for r in results if r["is_correct"])}


def write_samples(args):
    metadata_text = pathlib.Path(args.metadata).read_bytes()
    rows = [json.loads(line) for line in metadata_text.decode("utf-8").splitlines() if line.strip()]
    docs = [{"image": "<PIL.PngImagePlugin.PngImageFile image mode=RGB size=8x8>", **{k: v for k, v in row.items() if k != "file_name"}} for row in rows]
    rng = random.Random(2029)
    golds = {doc["Index"]: ("A" if doc["Correct Answer"] == "(a)" else "B") for doc in docs}
    responses = {index: stub_response(rng, gold) for index, gold in golds.items()}
    lmms_root = pathlib.Path(args.lmms_eval)
    by_name = sorted(zip(rows, docs), key=lambda pair: pair[0]["file_name"])
    expected = {
        "metadataSha256": hashlib.sha256(metadata_text).hexdigest(),
        "lmmsEvalCommit": "75571cf",
        "runs": [
            lmms_eval_samples(lmms_root, lmms_root / "lmms_eval/tasks/mmvp/utils.py", docs, [responses[d["Index"]] for d in docs], "samples_mmvp_local.jsonl"),
            lmms_eval_samples(lmms_root, lmms_root / "lmms_eval/tasks/mmvp/utils.py", [d for _, d in by_name], [responses[d["Index"]] for _, d in by_name], "samples_mmvp_local_by_name.jsonl"),
            lmms_eval_samples(lmms_root, pathlib.Path(args.lmms_eval_v06) / "lmms_eval/tasks/mmvp/utils.py", docs, [responses[d["Index"]] for d in docs], "samples_mmvp_local_v0.6.jsonl"),
        ],
    }
    expected["runs"][2]["utilsCommit"] = "34465550"
    (SAMPLES_DIR / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(expected, indent=1))


# --- prompts ----------------------------------------------------------------------------------

PROMPT_ROWS = [
    ("Is the fish facing left or right?", "(a) Left (b) Right"),
    ("Are there birds in the picture?", "(a) The bird(s) (b) None"),
    ("Is the arrow pointing left or right?", "(a)Left (b)Right"),
    ("Is the dog facing left or right?", "(a)  Left  (b)  Right"),
    ("What colour is the car?", "(a) Red (dark) (b) Blue"),
    (" Is the door open? ", " (a) Open (b) Closed "),
    ("Is the light on?", "(a) Yes(b) No"),
    ("Which way does the sign point?", "(A) Up (B) Down"),
    ("Is the cup\tfull?", "(a) Full\t(b) Empty"),
]


def write_prompts(args):
    lmms = load_module(pathlib.Path(args.lmms_eval) / "lmms_eval/tasks/mmvp/utils.py", "mmvp_utils_prompts")
    post_prompt = default_post_prompt(pathlib.Path(args.lmms_eval))
    # Cambrian eval/eval/mmvp/mmvp_eval.py:36-45: the statements of process() before `image_id = ...`
    cambrian_source = pathlib.Path(args.cambrian, "eval/eval/mmvp/mmvp_eval.py").read_text(encoding="utf-8")
    process = next(n for n in ast.parse(cambrian_source).body if isinstance(n, ast.FunctionDef) and n.name == "process")
    cut = next(i for i, s in enumerate(process.body) if isinstance(s, ast.Assign) and ast.unparse(s.targets[0]) == "image_id")
    cambrian_fn = ast.parse("def cambrian_question(line, args):\n    pass\n    return qs\n").body[0]
    cambrian_fn.body[0:1] = process.body[:cut]
    namespace = {}
    exec(compile(ast.fix_missing_locations(ast.Module(body=[cambrian_fn], type_ignores=[])), "mmvp_eval.py", "exec"), namespace)
    cambrian_args = types.SimpleNamespace(question_extension="Answer with the option's letter from the given choices directly.")  # mmvp_eval.py:166
    # tsb0601/MMVP scripts/evaluate_mllm.py:59: cur_prompt = row['Question'] + " " + row['Options']
    original_source = pathlib.Path(args.mmvp, "scripts/evaluate_mllm.py").read_text(encoding="utf-8")
    original_expr = next(n.value for n in ast.walk(ast.parse(original_source)) if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "cur_prompt")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Index", "Question", "Options", "Correct Answer"])
    for k, (question, options) in enumerate(PROMPT_ROWS):
        writer.writerow([2 * k + 1, question, options, "(a)"])
        writer.writerow([2 * k + 2, question, options, "(b)"])
    csv_text = buffer.getvalue()
    cases = []
    for row in list(csv.reader(io.StringIO(csv_text)))[1:]:
        fields = {"Index": row[0], "Question": row[1], "Options": row[2], "Correct Answer": row[3]}
        original = eval(compile(ast.Expression(original_expr), "evaluate_mllm.py", "eval"), {}, {"row": fields})
        lmms_doc = {"Index": int(row[0]), "Question": row[1], "Options": row[2], "Correct Answer": row[3]}
        cases.append({
            "index": int(row[0]),
            "question": row[1],
            "options": row[2],
            "original": original,
            "lmms": lmms.mmvp_doc_to_text(lmms_doc, {"pre_prompt": "", "post_prompt": post_prompt}),
            "cambrian": namespace["cambrian_question"]({"question": str(row[1]), "options": str(row[2])}, cambrian_args),
        })
    PROMPTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    PROMPTS_FILE.write_text(json.dumps({"sources": {"original": "tsb0601/MMVP 7635005 scripts/evaluate_mllm.py:59", "lmms": "lmms-eval 75571cf lmms_eval/tasks/mmvp/utils.py:86-123 + _default_template_yaml:20-23", "cambrian": "cambrian 539ffc3 eval/eval/mmvp/mmvp_eval.py:36-45 (question_extension default :166)"}, "csv": csv_text, "cases": cases}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {PROMPTS_FILE} ({len(cases)} cases)")


# --- peer-files -------------------------------------------------------------------------------

PEER_FILES_DIR = ROOT / "packages" / "datasets" / "src" / "__fixtures__"
VICUNA_V1 = "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions."


def write_peer_files():
    """Cambrian's answers file and VLMEvalKit's PRED_FORMAT=json predictions, written with the
    json calls those tools make (the model's text is made up; the shapes are theirs)."""
    rows = [
        ("Is the dog facing left or right?", "(a) Left (b) Right", "(a)", "A"),
        ("Is the dog facing left or right?", "(a) Left (b) Right", "(b)", "The answer is B."),
        ("Is the caf\u00e9 sign lit?", "(a) Yes (b) No", "(b)", "(a)"),
        ("Is the caf\u00e9 sign lit?", "(a) Yes (b) No", "(a)", "A"),
    ]
    lines = []
    for idx, (question, options, gold, response) in enumerate(rows):
        text_options = [part.split(")")[1].strip() for part in options.split("(")[1:]]  # give_options, mmvp_eval.py:72-75
        qs = f"<image>\n{question} Options:\nA. {text_options[0]}\nB. {text_options[1]}\nAnswer with the option's letter from the given choices directly."
        prompt = f"{VICUNA_V1} USER: {qs} ASSISTANT:"  # conv_templates['vicuna_v1'].get_prompt()
        # Cambrian eval/eval/mmvp/mmvp_eval.py:150-157
        lines.append(json.dumps({"question_id": idx, "prompt": prompt, "answer": response, "gt_answer": gold, "model_id": "llava-v1.5-7b", "text_options": text_options}) + "\n")
    (PEER_FILES_DIR / "cambrian-answers.jsonl").write_text("".join(lines), encoding="utf-8")
    # VLMEvalKit vlmeval/smp/file.py:153-158 (dump_json): DataFrame.to_dict('records'), json.dump(indent=4,
    # ensure_ascii=False); an empty TSV cell (category) is NaN in pandas and a bare NaN in the file
    records = [
        {"index": 1, "question": "Is the dog facing left or right?", "A": "Left", "B": "Right", "answer": "A", "category": float("nan"), "prediction": "A"},
        {"index": 2, "question": "Is the dog facing left or right?", "A": "Left", "B": "Right", "answer": "B", "category": float("nan"), "prediction": "(b) Right"},
        {"index": 3, "question": "Is the caf\u00e9 sign lit?", "A": "Yes", "B": "No", "answer": "B", "category": float("nan"), "prediction": "NaN"},
        {"index": 4, "question": "Is the caf\u00e9 sign lit?", "A": "Yes", "B": "No", "answer": "A", "category": float("nan"), "prediction": "A"},
    ]
    with open(PEER_FILES_DIR / "vlmevalkit-predictions.json", "w", encoding="utf-8") as file:
        json.dump(records, file, indent=4, ensure_ascii=False)
    print(f"wrote {PEER_FILES_DIR / 'cambrian-answers.jsonl'} and {PEER_FILES_DIR / 'vlmevalkit-predictions.json'}")


# --- vlmevalkit-parse ---------------------------------------------------------------------------

PARSE_FILE = ROOT / "packages" / "metrics" / "src" / "__fixtures__" / "vlmevalkit-can-infer.json"
PARSE_ANSWERS = ["A", "B", "(A)", "(B) Right", "(a)", "(b)", "a", "b", "(a) Left", "(b) Right", "The answer is (a).", "Answer: (b)", "I think (a) is correct."]


def write_vlmevalkit_parse(args):
    """VLMEvalKit's own answer parsing (vlmeval/utils/matching_util.py:18-127, can_infer) on answers in
    the original MMVP format (lowercase `(a)`), choices as its MCQ datasets build them (A/B -> text)."""
    namespace = {"cp": __import__("copy"), "os": __import__("os"), "re": __import__("re"), "string": __import__("string"), "logger": _Logger()}
    source = pathlib.Path(args.vlmevalkit, "vlmeval/utils/matching_util.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    keep = [n for n in tree.body if (isinstance(n, ast.FunctionDef) and n.name in ("can_infer_option", "can_infer_text", "can_infer"))
            or (isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "_VERBOSE_ANSWER_RE")]
    exec(compile(ast.Module(body=keep, type_ignores=[]), "matching_util.py", "exec"), namespace)
    cases = [{"answer": answer, "vlmevalkit": namespace["can_infer"](answer, {"A": "Left", "B": "Right"}) or None} for answer in PARSE_ANSWERS]
    PARSE_FILE.write_text(json.dumps({"source": "VLMEvalKit e8e78f0 vlmeval/utils/matching_util.py:18-127 can_infer(answer, {'A': 'Left', 'B': 'Right'}); null = False (not parsed)", "cases": cases}, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(cases))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["questions", "samples", "prompts", "peer-files", "vlmevalkit-parse"])
    parser.add_argument("--vlmevalkit")
    parser.add_argument("--lmms-eval")
    parser.add_argument("--lmms-eval-v06")
    parser.add_argument("--cambrian")
    parser.add_argument("--mmvp")
    parser.add_argument("--metadata")
    args = parser.parse_args()
    {"questions": lambda: write_questions(), "samples": lambda: write_samples(args), "prompts": lambda: write_prompts(args), "peer-files": write_peer_files, "vlmevalkit-parse": lambda: write_vlmevalkit_parse(args)}[args.what]()


if __name__ == "__main__":
    main()

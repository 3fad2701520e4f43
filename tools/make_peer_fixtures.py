#!/usr/bin/env python3
"""Writes the peer-output fixtures that @mmvp/datasets' readPeerAnswers is tested on.

VLMEvalKit saves its per-sample predictions with pandas' DataFrame.to_excel (openpyxl engine) unless
PRED_FORMAT says otherwise. pandas is not needed to make the same kind of file: openpyxl (Debian's
python3-openpyxl) writes the workbook directly, with the prediction table's columns. The expected
cell values go to a JSON file beside it, so the test compares our .xlsx reader with openpyxl's own
view of the data, not with itself.

Run: python3 tools/make_peer_fixtures.py
"""
import json
import pathlib

import openpyxl

OUT = pathlib.Path(__file__).resolve().parent.parent / "packages" / "datasets" / "src" / "__fixtures__"

COLUMNS = ["index", "question", "A", "B", "answer", "category", "prediction"]
ROWS = [
    [1, "Is the dog facing left or right?", "Left", "Right", "A", "Orientation and Direction", "A"],
    [2, "Is the dog facing left or right?", "Left", "Right", "B", "Orientation and Direction", "The answer is (b) Right."],
    [3, 'Is the "open" sign lit?', "Yes", "No", "A", "Texts", "Yes & it's <bright>\nsecond line"],
    [4, 'Is the "open" sign lit?', "Yes", "No", "B", "Texts", "Nein — no. ✓"],
    [5, "How many legs?", "3", "4", "B", "Quantity and Count", 4],
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(COLUMNS)
    for row in ROWS:
        sheet.append(row)
    path = OUT / "vlmevalkit-predictions.xlsx"
    workbook.save(path)
    # What openpyxl reads back, as text: the reference the TS reader must match.
    expected = [[("" if cell.value is None else str(cell.value)) for cell in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    (OUT / "vlmevalkit-predictions.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size} bytes) and its expected cells")


if __name__ == "__main__":
    main()

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "claims.pipeline", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [json.loads(ln) for ln in out.splitlines() if ln.strip()]


def test_extract_prints_one_line_per_sentence():
    rows = run("extract", str(ROOT / "seeds" / "001_118e52dee55f708a.txt"))
    assert len(rows) > 15
    row = next(r for r in rows if "Half a dozen" in r["text"])
    assert row["is_candidate"] and row["slots"]["quantities"][0]["value"] == 6
    assert {"article", "start", "end", "checkworthiness", "features"} <= set(row)


def test_extract_sentences_mode_and_json(tmp_path):
    (tmp_path / "s.txt").write_text("Two ferries collided off Dover on Monday.\nIs this the end?\n")
    rows = run("extract", "--sentences", str(tmp_path / "s.txt"))
    assert [r["is_candidate"] for r in rows] == [True, False]
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"text": "Police arrested 14 fans in Lyon on Sunday.", "date": "2023-03-06", "source": "AFP"}) + "\n"
    )
    rows = run("extract", str(tmp_path / "a.jsonl"))
    assert rows[0]["slots"]["dates"][0]["low"] == "2023-03-05"


def test_score_pairs(tmp_path):
    tsv = tmp_path / "p.tsv"
    tsv.write_text(
        "p1\tThe flood killed 12 people in the village of Ahr.\tThe flood killed 40 people in the village of Ahr.\n"
        "p2\tThe protesters stopped after about 5m.\tThe protesters stopped after about 5 meters (16 feet).\n"
    )
    rows = run("score-pairs", str(tsv))
    assert rows[0]["same_claim"] and rows[0]["conflict"]["kind"] == "number"
    assert rows[0]["conflict"]["severity"] == "high"
    assert rows[1]["same_claim"] and rows[1]["conflict"] is None

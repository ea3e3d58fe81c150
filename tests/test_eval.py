"""`polyglot-news eval`: translation scores equal to sacrebleu's (its own command line, same
files), language-id and alignment scores, and a translated test set scored in one go."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from polyglot_news.cli import main
from polyglot_news.evaluation import langid_scores


def test_translation_scores_equal_sacrebleus(tmp_path, dev_pairs, capsys):
    pairs = [p for p in dev_pairs if p.src_lang == "en" and p.tgt_lang == "ru"][:60]
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    # a hypothesis that differs from the reference: another pair's sentence every third line
    hyp.write_text("\n".join(p.src if k % 3 else pairs[k - 1].src for k, p in enumerate(pairs)) + "\n")
    ref.write_text("\n".join(p.src for p in pairs) + "\n")
    assert main(["eval", "translation", str(hyp), str(ref), "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    sacrebleu = Path(sys.executable).parent / "sacrebleu"
    out = subprocess.run([str(sacrebleu), str(ref), "-i", str(hyp), "-m", "bleu", "chrf", "ter", "--format", "json",
                          "-w", "4"], capture_output=True, text=True, check=True).stdout
    theirs = {r["name"].lower().rstrip("2"): r for r in json.loads(out)}  # chrF2 is chrF, beta 2
    assert set(ours) == set(theirs) == {"bleu", "chrf", "ter"}
    for name in ours:
        assert round(ours[name]["score"], 4) == theirs[name]["score"]
        assert ours[name]["signature"] == theirs[name]["signature"]
    assert 0 < ours["bleu"]["score"] < 100


def test_langid_scores_and_plot(tmp_path, capsys):
    gold, pred = tmp_path / "gold.txt", tmp_path / "pred.txt"
    gold.write_text("az\naz\nen\nru\ntr\n")
    pred.write_text("az\nen\nen\nru\naz\n")
    assert main(["eval", "langid", str(gold), str(pred), "--json", "--plot", str(tmp_path / "cm.png")]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["accuracy"] == 3 / 5
    assert scores["languages"]["az"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert scores["confusion"]["tr"]["az"] == 1
    assert (tmp_path / "cm.png").read_bytes()[:4] == b"\x89PNG"
    assert langid_scores(["en"], ["en"])["languages"]["en"]["f1"] == 1.0


def test_align_scores(tmp_path, capsys):
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.write_text("[0]:[0]\n[1]:[1,2]\n[]:[3]\n")
    pred.write_text("[0]:[0]\n[1]:[1]\n[]:[2]\n[]:[3]\n")
    assert main(["eval", "align", str(gold), str(pred), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["strict_p"] == 0.5 and scores["lax_p"] == 0.75 and scores["lax_r"] == 1.0
    # align-docs' JSONL output is read as it is, beside the Bleualign format
    jsonl = tmp_path / "pred.jsonl"
    jsonl.write_text('{"src":[0],"tgt":[0],"score":0.7}\n{"src":[1],"tgt":[1],"score":0.4}\n'
                     '{"src":[],"tgt":[2],"score":0.0}\n\n{"src":[],"tgt":[3],"score":0.0}\n')
    assert main(["eval", "align", str(gold), str(jsonl), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == scores
    jsonl.write_text('{"src":[0],"tgt":[0]}\n{"src":[1],"target":[1]}\n')
    assert main(["eval", "align", str(gold), str(jsonl)]) == 2
    assert f"{jsonl}:2: not a '[src ids]:[tgt ids]' group" in capsys.readouterr().err
    pred.write_text("[0]:[0]\n[1]:[x]\n")
    assert main(["eval", "align", str(gold), str(pred)]) == 2
    assert f"{pred}:2:" in capsys.readouterr().err


def test_translating_a_test_set_in_one_go(tmp_path, dev_pairs, tiny_marian, capsys):
    model = tiny_marian
    tsv = tmp_path / "test.tsv"
    rows = [p for p in dev_pairs if p.src_lang == "az"][:10] + [p for p in dev_pairs if p.tgt_lang == "ru"][:10]
    tsv.write_text("".join(f"{'aze' if p.src_lang == 'az' else 'eng'}\t{'eng' if p.src_lang == 'az' else 'rus'}"
                           f"\t{p.src}\t{p.tgt}\n" for p in rows), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(f"translation:\n  models: {{az: '{model}', ru: '{model}'}}\n  cache: {{enabled: false}}\n"
                      "  generation: {num_beams: 1, max_new_tokens: 8}\n", encoding="utf-8")
    assert main(["eval", "translation", "--config", str(config), str(tsv), "--metrics", "chrf"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CHRF") and "nrefs:1" in out  # random weights: a low score, really computed


@pytest.mark.slow
def test_quiet_by_default_verbose_shows_the_librarys_messages(tmp_path, tiny_marian):
    model = tiny_marian
    doc = tmp_path / "a.txt"
    doc.write_text("Bakıda yeni metro stansiyası açılıb. Sakinlər razıdır.\n", encoding="utf-8")
    base = [sys.executable, "-m", "polyglot_news.cli"]
    args = ["translate", str(doc), "--model", str(model), "--backend", "transformers", "-o", str(tmp_path / "o.jsonl"), "-c",
            str(Path(__file__).resolve().parent.parent / "configs" / "offline.yaml")]
    quiet = subprocess.run(base + args, capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert "Loading weights" not in quiet.stderr and "debug:" not in quiet.stderr
    (tmp_path / "o.jsonl").unlink()
    verbose = subprocess.run(base + ["-v"] + args, capture_output=True, text=True)
    assert verbose.returncode == 0, verbose.stderr
    assert f"debug: loading {model}" in verbose.stderr
    assert "Loading weights" in verbose.stderr  # transformers' own output, shown only when verbose

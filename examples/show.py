"""Print a readable summary of a polyglot-news JSONL output: each segment with its language,
translations when present, and the parallel passages found."""

from __future__ import annotations

import json
import sys


def show(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            print(f"== {record['id']}")
            if "error" in record:
                print(f"   error: {record['error']}")
                continue
            for note in record.get("notes", []):
                print(f"   note: {note}")
            for seg in record.get("segments", []):
                text = " ".join(seg["text"].split())
                print(f"   [{seg['lang']} {seg['confidence']:.2f}] {text[:90]}{'…' if len(text) > 90 else ''}")
                if seg.get("translation"):
                    print(f"        → en: {seg['translation']['text'][:90]}")
            for i, passage in enumerate(record.get("passages", []), 1):
                langs = "+".join(m["lang"] for m in passage["members"])
                print(f"   passage {i} ({langs}, score {passage['score']:.2f}):")
                for pair in passage["pairs"]:
                    src, tgt = pair["src"], pair["tgt"]
                    print(f"      {src['lang']} {src['start']}-{src['end']} ↔ {tgt['lang']} {tgt['start']}-{tgt['end']}"
                          f"  score {pair['score']:.2f}")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        show(p)

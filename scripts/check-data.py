#!/usr/bin/env python3
"""Check a labelled stance CSV against ANNOTATION.md and the corpus targets.

Usage: scripts/check-data.py FILE.csv [FILE.csv ...]

Prints row counts by stance, sentiment, actor and document, the share of
sentences with two or more actor rows, and the template-collision rate
(sentences that become identical once capitalised names and numbers are
masked). Exits 1 on a format error.
"""
import collections, csv, re, sys

STANCES = {"supportive", "cautious", "hostile"}
SENTIMENTS = {"positive", "neutral", "negative"}
ID_RE = re.compile(r"^d(\d{4})-s(\d{2})-a(\d{1,2})$")


def mask(text):
    t = re.sub(r"\d[\d,.]*", "#", text)
    t = re.sub(r"\b[A-Z][\w'’.-]*", "X", t)
    return re.sub(r"\s+", " ", t).strip().lower()


def main(paths):
    errors = 0
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            r = csv.reader(f)
            header = next(r, None)
            if header != ["id", "text", "actor", "stance", "sentiment"]:
                print(f"{path}: bad header {header}")
                return 1
            for i, rec in enumerate(r, start=2):
                if len(rec) != 5:
                    print(f"{path}:{i}: expected 5 fields, found {len(rec)}")
                    errors += 1
                    continue
                rid, text, actor, stance, sent = rec
                m = ID_RE.match(rid)
                if not m:
                    print(f"{path}:{i}: bad id {rid!r}")
                    errors += 1
                if not text.strip():
                    print(f"{path}:{i}: empty text"); errors += 1
                if sent not in SENTIMENTS:
                    print(f"{path}:{i}: bad sentiment {sent!r}"); errors += 1
                if actor and stance not in STANCES:
                    print(f"{path}:{i}: bad stance {stance!r}"); errors += 1
                if not actor and stance:
                    print(f"{path}:{i}: stance without actor"); errors += 1
                rows.append((path, i, rid, text, actor, stance, sent))
    ids = collections.Counter(r[2] for r in rows)
    for rid, n in ids.items():
        if n > 1:
            print(f"duplicate id {rid}"); errors += 1
    # sentence-level consistency
    sents = {}
    for path, i, rid, text, actor, stance, sent in rows:
        key = rid.rsplit("-a", 1)[0]
        if key in sents:
            t0, s0 = sents[key]
            if t0 != text:
                print(f"{path}:{i}: {key} has two different texts"); errors += 1
            if s0 != sent:
                print(f"{path}:{i}: {key} has two sentiments"); errors += 1
        else:
            sents[key] = (text, sent)
    texts = collections.Counter(t for t, _ in sents.values())
    dup_texts = sum(n - 1 for n in texts.values() if n > 1)
    actor_rows = [r for r in rows if r[4]]
    per_sentence = collections.Counter(r[2].rsplit("-a", 1)[0] for r in actor_rows)
    multi = sum(1 for n in per_sentence.values() if n >= 2)
    no_actor = sum(1 for r in rows if not r[4])
    docs = collections.Counter(k.split("-")[0] for k in sents)
    masked = collections.Counter(mask(t) for t, _ in sents.values())
    collisions = sum(n - 1 for n in masked.values() if n > 1)
    print(f"rows {len(rows)}  actor rows {len(actor_rows)}  sentences {len(sents)}  documents {len(docs)}")
    print(f"sentences per document: min {min(docs.values(), default=0)} max {max(docs.values(), default=0)}")
    print(f"sentences with 2+ actor rows: {multi} ({100*multi/max(1,len(sents)):.1f}%)  no-actor sentences: {no_actor}")
    print(f"duplicate sentence texts: {dup_texts}  masked collisions: {collisions} ({100*collisions/max(1,len(sents)):.2f}%)")
    st = collections.Counter(r[5] for r in actor_rows)
    print("stance:", {k: f"{v} ({100*v/max(1,len(actor_rows)):.1f}%)" for k, v in st.most_common()})
    se = collections.Counter(s for _, s in sents.values())
    print("sentiment (per sentence):", {k: f"{v} ({100*v/max(1,len(sents)):.1f}%)" for k, v in se.most_common()})
    ac = collections.Counter(r[4] for r in actor_rows)
    print(f"distinct actors {len(ac)}; top:", ", ".join(f"{a} {100*n/len(actor_rows):.1f}%" for a, n in ac.most_common(12)))
    if "--actors" in sys.argv:
        for a, n in ac.most_common():
            print(f"  {n:5d} {a}")
    if collisions and "--collisions" in sys.argv:
        for m, n in masked.items():
            if n > 1:
                print("  collision:", m)
    print("errors:", errors)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if not a.startswith("--")]))

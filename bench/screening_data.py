"""Data for bench/screening: name lists and queries with their answers.

  python3 bench/screening_data.py ofac OFAC_DIR OUT_DIR QUERIES
  python3 bench/screening_data.py synthetic COUNT OUT_DIR QUERIES

Writes OUT_DIR/names.txt (one name per line; a name's id is its line index) and
OUT_DIR/queries.tsv (`query<TAB>id`): names drawn from the list (seeded) and changed the
way screening queries differ from list entries: a typo, the order of the parts
("SURNAME, Given"), a dropped middle part, accents and case, or no change.
"""
import csv
import os
import random
import sys
import unicodedata

rng = random.Random(20261123)

FIRST = """james mary robert patricia john jennifer michael linda david elizabeth william barbara
richard susan joseph jessica thomas sarah charles karen christopher nancy daniel lisa
matthew betty anthony margaret mark sandra donald ashley steven kimberly paul emily andrew
donna joshua michelle kenneth carol kevin amanda brian melissa george deborah timothy
stephanie mohammed muhammad ahmed ali omar fatima aisha hassan hussein ibrahim yusuf
khalid abdullah mariam zainab wei li zhang wang chen liu yang huang zhao hiroshi yuki
takeshi haruka sakura kenji olga ivan dmitri sergei natalia tatiana vladimir anastasia
alexei svetlana jose juan carlos luis miguel ana lucia sofia mateo valentina diego camila
priya raj arjun ananya vikram deepa rahul sunita kwame ama kofi abena chidi ngozi emeka
amara pierre marie jean louis camille hans greta klaus ingrid lars sven astrid erik""".split()

SYLLABLES = """ka lo mi ra ten vos shi dan el or un bre tal zu mar kov ski ber ger man
son ham wick ford ley ton ova ev ich ez ov al in ra do ri na sa to mu ke""".split()


def surname(r):
    return "".join(r.choice(SYLLABLES) for _ in range(r.randint(2, 4))).capitalize()


def synthetic(count):
    seen = set()
    names = []
    while len(names) < count:
        parts = [rng.choice(FIRST).capitalize()]
        if rng.random() < 0.3:
            parts.append(rng.choice(FIRST).capitalize())
        parts.append(surname(rng))
        name = " ".join(parts)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def ofac(directory):
    names = []
    with open(os.path.join(directory, "sdn.csv"), newline="", encoding="latin-1") as f:
        for row in csv.reader(f):
            if len(row) > 1 and row[1].strip() not in ("", "-0-"):
                names.append(row[1].strip())
    with open(os.path.join(directory, "alt.csv"), newline="", encoding="latin-1") as f:
        for row in csv.reader(f):
            if len(row) > 3 and row[3].strip() not in ("", "-0-"):
                names.append(row[3].strip())
    return names


def typo(name):
    words = name.split()
    long = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 5]
    if not long:
        return name
    i = rng.choice(long)
    w = list(words[i])
    letters = [j for j, c in enumerate(w) if c.isalpha() and j > 0]
    j = rng.choice(letters)
    op = rng.choice(["sub", "del", "ins", "swap"])
    if op == "sub":
        w[j] = rng.choice("aeioulnrst")
    elif op == "del":
        del w[j]
    elif op == "ins":
        w.insert(j, rng.choice("aeioulnrst"))
    elif j + 1 < len(w):
        w[j], w[j + 1] = w[j + 1], w[j]
    words[i] = "".join(w)
    return " ".join(words)


def reorder(name):
    if "," in name:  # OFAC's "SURNAME, Given" → "Given SURNAME"
        last, _, given = name.partition(",")
        return f"{given.strip()} {last.strip()}"
    words = name.split()
    if len(words) < 2:
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


def drop_middle(name):
    words = name.replace(",", "").split()
    if len(words) < 3:
        return name
    del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "n": "ñ", "c": "ç"}


def accents(name):
    out = []
    for c in name.lower():
        out.append(ACCENTS.get(c, c) if rng.random() < 0.3 else c)
    return unicodedata.normalize("NFC", "".join(out))


CHANGES = [lambda n: n, typo, reorder, drop_middle, accents]


def main():
    kind, source, out, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    names = ofac(source) if kind == "ofac" else synthetic(int(source))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "names.txt"), "w", encoding="utf-8") as f:
        for name in names:
            f.write(name.replace("\n", " ") + "\n")
    with open(os.path.join(out, "queries.tsv"), "w", encoding="utf-8") as f:
        for n in range(count):
            i = rng.randrange(len(names))
            query = CHANGES[n % len(CHANGES)](names[i])
            f.write(f"{query}\t{i}\n")


if __name__ == "__main__":
    main()

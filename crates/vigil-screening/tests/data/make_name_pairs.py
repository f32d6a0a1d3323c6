#!/usr/bin/env python3
"""Writes name_pairs.tsv: the labelled set vigil's name matching is judged on.

Columns: name a, name b, label (1 = same person or organisation, 0 = not), category.
Invented names combined with seeded random edits, plus hand-written pairs for what edits
cannot make (transliterations, glued particles, nicknames, look-alikes that are not the
same person). Run it again only to change the set; the README's precision and recall are
measured on the committed file."""
import random

random.seed(20261123)
FIRST = """james mary robert patricia john jennifer michael linda david elizabeth william barbara
richard susan joseph jessica thomas sarah charles karen christopher lisa daniel nancy matthew
betty anthony margaret mark sandra donald ashley steven kimberly paul emily andrew donna joshua
michelle kenneth carol kevin amanda brian melissa george deborah timothy stephanie ronald rebecca
edward sharon jason laura jeffrey cynthia ryan kathleen jacob amy gary angela nicholas shirley
eric anna jonathan brenda stephen pamela larry emma justin nicole scott helen brandon samantha
benjamin katherine samuel christine gregory debra alexander rachel frank carolyn patrick janet
raymond catherine jack maria dennis heather jerry diane tyler ruth aaron julie jose olivia adam
joyce henry virginia nathan victoria douglas kelly zachary lauren peter christina kyle joan
ahmed fatima mohammed aisha omar layla hassan zainab yusuf mariam ivan olga dmitri svetlana
sergei natalia wei fang hiroshi yuki carlos lucia miguel sofia giovanni francesca pierre amelie""".split()
LAST = """smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez
gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris
sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill
flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans
turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez
ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks
chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long
ross foster jimenez petrov ivanov smirnov kuznetsov popescu kowalski novak horvat nielsen jensen
haddad khoury mansour nasser rahman hussain karimi tanaka suzuki watanabe wang zhang chen""".split()
LETTERS = "abcdefghijklmnopqrstuvwxyz"

def typo(word):
    i = random.randrange(len(word))
    kind = random.choice(["sub", "del", "ins", "swap"])
    if kind == "sub":
        return word[:i] + random.choice(LETTERS) + word[i + 1:]
    if kind == "del" and len(word) > 3:
        return word[:i] + word[i + 1:]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + random.choice(LETTERS) + word[i:]

def person():
    return random.choice(FIRST), random.choice(LAST)

rows = []
def add(a, b, label, category):
    rows.append((a, b, label, category))

for _ in range(60):
    f, l = person()
    add(f"{f.title()} {l.title()}", f"{f.title()} {typo(l).title()}", 1, "typo-surname")
for _ in range(40):
    f, l = person()
    add(f"{f.title()} {l.title()}", f"{typo(f).title()} {l.title()}", 1, "typo-given")
for _ in range(40):
    f, l = person()
    add(f"{f.title()} {l.title()}", f"{l.upper()}, {f.title()}", 1, "reordered")
for _ in range(30):
    f, l = person()
    m = random.choice(FIRST)
    add(f"{f.title()} {l.title()}", f"{f.title()} {m.title()} {l.title()}", 1, "middle-name")
for _ in range(20):
    f, l = person()
    add(f"{f[0].upper()}. {l.title()}", f"{f.title()} {l.title()}", 1, "initial")
for _ in range(20):
    f, l = person()
    title = random.choice(["Dr.", "Mr", "Mrs.", "Sheikh", "Prof."])
    add(f"{title} {f.title()} {l.title()}", f"{f.lower()} {l.lower()}", 1, "honorific-case")
for _ in range(20):
    f, l = person()
    add(f"{f.title()} {l.title()}", f"{typo(f).title()} {typo(l).upper()}", 1, "two-typos")

# Different people.
for _ in range(80):
    f, l = person()
    f2 = random.choice([x for x in FIRST if x[0] != f[0]])
    add(f"{f.title()} {l.title()}", f"{f2.title()} {l.title()}", 0, "same-surname")
for _ in range(60):
    f, l = person()
    l2 = random.choice([x for x in LAST if x[:2] != l[:2]])
    add(f"{f.title()} {l.title()}", f"{f.title()} {l2.title()}", 0, "same-given")
for _ in range(60):
    a, b = person(), person()
    if a[0][0] != b[0][0] and a[1][0] != b[1][0]:
        add(f"{a[0].title()} {a[1].title()}", f"{b[0].title()} {b[1].title()}", 0, "unrelated")
for _ in range(20):
    f, l = person()
    add(f.title(), f"{f.title()} {l.title()}", 0, "given-only")

HAND = [
    ("Владимир Путин", "Vladimir Putin", 1, "transliteration"),
    ("Алексей Навальный", "Alexei Navalny", 1, "transliteration"),
    ("Сергей Иванов", "Sergey Ivanov", 1, "transliteration"),
    ("Дмитрий Смирнов", "Dmitry Smirnov", 1, "transliteration"),
    ("Юрий Кузнецов", "Yuri Kuznetsov", 1, "transliteration"),
    ("Ολυμπία Παπαδοπούλου", "Olympia Papadopoulou", 1, "transliteration"),
    ("Mohammed Al-Rashid", "Muhammad Rashid", 1, "transliteration"),
    ("Muammar Gaddafi", "Moammar Qadhafi", 1, "transliteration"),
    ("Muammar Gaddafi", "Muammar Kadhafi", 1, "transliteration"),
    ("Osama bin Laden", "Usama bin Ladin", 1, "transliteration"),
    ("Abdulrahman Hassan", "Abdul Rahman Hassan", 1, "glued"),
    ("Al-Qaida", "Al Qaeda", 1, "transliteration"),
    ("Al-Qaida", "Alqaida", 1, "glued"),
    ("Yusuf Islam", "Jusuf Islam", 1, "transliteration"),
    ("Khalid Sheikh Mohammed", "Khaled Shaikh Mohamed", 1, "transliteration"),
    ("José María García", "Jose Maria Garcia", 1, "accents"),
    ("François Lefèvre", "Francois Lefevre", 1, "accents"),
    ("Søren Kierkegaard", "Soren Kierkegaard", 1, "accents"),
    ("Jürgen Müller", "Juergen Mueller", 1, "accents"),
    ("Zhang Wei", "Wei Zhang", 1, "reordered"),
    ("Banco Nacional de Cuba", "BANCO NACIONAL DE CUBA S.A.", 1, "legal-form"),
    ("Anglo-Caribbean Co., Ltd.", "Anglo Caribbean Company Limited", 1, "legal-form"),
    ("Gazprom PJSC", "Gazprom", 1, "legal-form"),
    ("Robert Smith", "Bob Smith", 1, "nickname"),
    ("William Johnson", "Bill Johnson", 1, "nickname"),
    ("Katherine Jones", "Kate Jones", 1, "nickname"),
    ("Ivan Petrov", "Ivana Petrova", 0, "look-alike"),
    ("Maria Lopez", "Mario Lopez", 0, "look-alike"),
    ("John Smith", "Joan Smithers", 0, "look-alike"),
    ("Ali Hassan", "Ali Hussein", 0, "look-alike"),
    ("Anna Kim", "Anna Kimball", 0, "look-alike"),
    ("Banco Nacional de Cuba", "Banco Nacional de Panama", 0, "look-alike"),
    ("Joe Imposter", "Joe Bloggs", 0, "look-alike"),
    ("Chen Wang", "Cheng Wong", 0, "look-alike"),
]
rows.extend(HAND)
with open("name_pairs.tsv", "w") as out:
    out.write("# name_a\tname_b\tlabel\tcategory\n")
    for a, b, label, category in rows:
        out.write(f"{a}\t{b}\t{label}\t{category}\n")
print(len(rows), "pairs")

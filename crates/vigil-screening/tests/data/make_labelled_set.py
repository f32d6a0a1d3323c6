#!/usr/bin/env python3
"""Writes labelled_pairs.tsv: the labelled set vigil's name matching is tuned and judged on.

Columns: name a, name b, label (1 = same person, organisation or vessel; 0 = not), kind
(person / organisation / vessel), script of name a (latin, arabic, cyrillic, greek, hebrew,
han, hangul, kana), category, split (`tune`: what the matcher's rules were chosen on;
`held`: set aside, never looked at while tuning; about three pairs in ten, by a hash of
the pair, so a pair never moves when the set grows).

Sources, all public facts, none of them a benchmark's cases:
- `name_pairs.tsv`: invented people with seeded edits (see make_name_pairs.py);
- the OFAC SDN list (`../shared/data/sanctions/ofac`): a party's listed aliases that
  spell its name differently are positives, so is its name with typos, reordered, or
  with its legal form written out; different parties sharing words are negatives;
- the UN consolidated list (`../shared/data/sanctions/un`): a person's name in its
  original script (Arabic, Cyrillic) against its Latin form; different people's;
- public figures' names in their own scripts and in Latin letters, written here by hand.

Run from the repository's root: `python3 crates/vigil-screening/tests/data/make_labelled_set.py`.
The quality test reads the committed file; rerun only to change the set."""
import csv
import difflib
import hashlib
import os
import random
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("VIGIL_SHARED_DIR") or os.path.join(HERE, "../../../../../shared")
OFAC = os.path.join(SHARED, "data/sanctions/ofac")
UN = os.path.join(SHARED, "data/sanctions/un/UN_consolidated.xml")
if not os.path.isdir(OFAC):
    sys.exit(f"needs the shared sanctions data at {SHARED} (set VIGIL_SHARED_DIR)")

random.seed(20261203)
rows = []
seen = set()


def split_of(a, b):
    digest = hashlib.sha256(f"{a}\t{b}".encode()).digest()
    return "held" if digest[0] % 10 < 3 else "tune"


def add(a, b, label, kind, category, script="latin"):
    a, b = " ".join(a.split()), " ".join(b.split())
    if not a or not b or a == b and label == 0:
        return False
    # "Private" leading a name is a word of it ("Private Military Company"), not a form.
    if category.startswith("legal-form") and any(
        n.upper().startswith(("PTE ", "PTY ", "PRIVATE ", "PROPRIETARY ")) for n in (a, b)
    ):
        return False
    key = (a.lower(), b.lower())
    if key in seen or (key[1], key[0]) in seen:
        return False
    seen.add(key)
    rows.append((a, b, label, kind, script, category, split_of(a, b)))
    return True


def fold(name):
    """Lower-case ASCII words, for choosing pairs (not vigil's own preparation)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


def alike(a, b):
    """Whether two names are spellings of each other by a plain character measure: every
    word of the shorter has a close word in the longer, and they differ in at most one
    word's count. Aliases that are other names altogether ("BNC") no name matcher finds."""
    wa, wb = fold(a), fold(b)
    if not wa or not wb or abs(len(wa) - len(wb)) > 1 or sorted(wa) == sorted(wb):
        return False
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    close = sum(
        1 for w in short if max(difflib.SequenceMatcher(None, w, x).ratio() for x in long_) >= 0.75
    )
    return close == len(short)


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


def with_typos(name, count):
    words = name.split()
    eligible = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if len(eligible) < count:
        return None
    for i in random.sample(eligible, count):
        words[i] = typo(words[i].lower()).upper()
    return " ".join(words)


# --- The invented people of name_pairs.tsv --------------------------------------------
for line in open(os.path.join(HERE, "name_pairs.tsv"), encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    a, b, label, category = line.rstrip("\n").split("\t")
    kind = "organisation" if category == "legal-form" or "Banco" in a else "person"
    script = "latin"
    if any("CYRILLIC" in unicodedata.name(c, "") for c in a):
        script = "cyrillic"
    if any("GREEK" in unicodedata.name(c, "") for c in a):
        script = "greek"
    add(a, b, int(label), kind, "invented-" + category, script)

# --- OFAC ----------------------------------------------------------------------------
sdn = {}
for row in csv.reader(open(os.path.join(OFAC, "sdn.csv"), encoding="latin-1")):
    if len(row) < 3:
        continue
    kind = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}.get(
        row[2].strip(), "organisation"
    )
    sdn[row[0]] = (row[1], kind)
aliases = defaultdict(list)
for row in csv.reader(open(os.path.join(OFAC, "alt.csv"), encoding="latin-1")):
    if len(row) >= 4 and row[0] in sdn and row[2] in ("aka", "fka", "nka"):
        aliases[row[0]].append((row[3], row[2]))


def reading_order(name, kind):
    """OFAC writes people "SURNAME, Given": a query gives them in reading order."""
    if kind == "person" and name.count(",") == 1:
        last, first = name.split(",")
        return f"{first.strip()} {last.strip()}"
    return name


by_kind = defaultdict(list)
for ent, (name, kind) in sdn.items():
    by_kind[kind].append(ent)
for kind in by_kind:
    by_kind[kind].sort(key=int)
    random.shuffle(by_kind[kind])

# Listed aliases that spell the name differently.
quota = {"person": 320, "organisation": 200, "vessel": 40}
for kind, limit in quota.items():
    made = 0
    for ent in by_kind[kind]:
        name = sdn[ent][0]
        for alias, alias_type in aliases.get(ent, []):
            if alias_type == "aka" and alike(name, alias) and made < limit:
                made += add(reading_order(name, kind), alias, 1, kind, "ofac-alias")

# The listed name with typos: one word, then two words (the index must still find it).
for kind, ones, twos in [("person", 160, 120), ("organisation", 90, 50), ("vessel", 40, 20)]:
    for count, limit in [(1, ones), (2, twos)]:
        made = 0
        for ent in by_kind[kind]:
            if made >= limit:
                break
            name = reading_order(sdn[ent][0], kind)
            changed = with_typos(name, count)
            if changed and random.random() < 0.5:
                made += add(changed, name, 1, kind, f"ofac-typo-{count}")

# People written surname first, and without a middle name.
made = 0
for ent in by_kind["person"]:
    name = sdn[ent][0]
    if made >= 80 or name.count(",") != 1:
        continue
    last, first = [p.strip() for p in name.split(",")]
    given = first.split()
    if len(given) >= 2 and len(given[0]) > 2 and random.random() < 0.5:
        made += add(f"{given[0]} {last}".title(), name, 1, "person", "ofac-no-middle-name")
    elif random.random() < 0.3:
        made += add(f"{last} {first}".title(), name, 1, "person", "ofac-surname-first")

# Legal forms written out, and abbreviated: public facts (ISO 20275's forms and the
# abbreviations the lists use), the same entity either way.
LEGAL = {
    "LTD": ["LIMITED"],
    "LLC": ["LIMITED LIABILITY COMPANY"],
    "INC": ["INCORPORATED"],
    "CORP": ["CORPORATION"],
    "CO": ["COMPANY"],
    "PLC": ["PUBLIC LIMITED COMPANY"],
    "LLP": ["LIMITED LIABILITY PARTNERSHIP"],
    "JSC": ["JOINT STOCK COMPANY"],
    "OJSC": ["OPEN JOINT STOCK COMPANY"],
    "OAO": ["OPEN JOINT STOCK COMPANY", "OTKRYTOE AKTSIONERNOE OBSHCHESTVO"],
    "ZAO": ["CLOSED JOINT STOCK COMPANY", "ZAKRYTOE AKTSIONERNOE OBSHCHESTVO"],
    "CJSC": ["CLOSED JOINT STOCK COMPANY"],
    "PJSC": ["PUBLIC JOINT STOCK COMPANY"],
    "PAO": ["PUBLIC JOINT STOCK COMPANY", "PUBLICHNOE AKTSIONERNOE OBSHCHESTVO"],
    "OOO": ["LIMITED LIABILITY COMPANY", "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU"],
    "AO": ["JOINT STOCK COMPANY", "AKTSIONERNOE OBSHCHESTVO"],
    "GMBH": ["GESELLSCHAFT MIT BESCHRAENKTER HAFTUNG"],
    "AG": ["AKTIENGESELLSCHAFT"],
    "SA": ["SOCIEDAD ANONIMA", "SOCIETE ANONYME"],
    "SARL": ["SOCIETE A RESPONSABILITE LIMITEE"],
    "SRL": ["SOCIETA A RESPONSABILITA LIMITATA", "SOCIEDAD DE RESPONSABILIDAD LIMITADA"],
    "SPA": ["SOCIETA PER AZIONI"],
    "BV": ["BESLOTEN VENNOOTSCHAP"],
    "NV": ["NAAMLOZE VENNOOTSCHAP"],
    "FZE": ["FREE ZONE ESTABLISHMENT"],
    "FZCO": ["FREE ZONE COMPANY"],
    "PTE": ["PRIVATE"],
    "PTY": ["PROPRIETARY"],
    "SDN BHD": ["SENDIRIAN BERHAD"],
    "LTDA": ["LIMITADA"],
    "SL": ["SOCIEDAD LIMITADA"],
    "AB": ["AKTIEBOLAG"],
    "OY": ["OSAKEYHTIO"],
    "KG": ["KOMMANDITGESELLSCHAFT"],
}
WRITTEN = {w: abbr for abbr, ws in LEGAL.items() for w in ws}
made = 0
for ent in by_kind["organisation"]:
    if made >= 260:
        break
    name = re.sub(r"[.,]", " ", sdn[ent][0].upper())
    name = " ".join(name.split())
    for abbr, written in sorted(LEGAL.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(" " + abbr) or name.startswith(abbr + " "):
            other = name.replace(abbr, random.choice(written), 1) if name.startswith(abbr + " ") \
                else name[: -len(abbr)] + random.choice(written)
            if random.random() < 0.5:
                made += add(sdn[ent][0], other.title(), 1, "organisation", "legal-form-written")
            else:
                made += add(other, sdn[ent][0], 1, "organisation", "legal-form-written")
            break
    else:
        for written, abbr in sorted(WRITTEN.items(), key=lambda kv: -len(kv[0])):
            if name.endswith(" " + written) or name.startswith(written + " "):
                other = name.replace(written, abbr, 1)
                made += add(other, sdn[ent][0], 1, "organisation", "legal-form-abbreviated")
                break

# Different parties sharing words: the hard negatives.
GENERIC = set(
    "company co ltd limited llc inc corp corporation group trading international general "
    "import export industrial industries bank al the of and de for services holding "
    "holdings shipping petroleum oil gas investment enterprises".split()
)
for kind, limit in [("person", 420), ("organisation", 380), ("vessel", 80)]:
    by_word = defaultdict(list)
    for ent in by_kind[kind]:
        for word in set(fold(sdn[ent][0])):
            if len(word) > 2:
                by_word[word].append(ent)
    made = 0
    for ent in by_kind[kind]:
        if made >= limit:
            break
        words = [w for w in set(fold(sdn[ent][0])) if len(w) > 2]
        random.shuffle(words)
        for word in words:
            others = [o for o in by_word[word] if o != ent]
            if not others:
                continue
            other = random.choice(others)
            a, b = sdn[ent][0], sdn[other][0]
            if sorted(fold(a)) == sorted(fold(b)):
                continue  # the same words: name alone cannot tell them apart
            generic = word in GENERIC
            category = "ofac-shared-generic-word" if generic else "ofac-shared-word"
            made += add(reading_order(a, kind), b, 0, kind, category)
            break

# A short listed alias whose words all appear in a longer name of someone else.
made = 0
person_names = [(ent, sdn[ent][0]) for ent in by_kind["person"]]
short_aliases = [
    (ent, alias)
    for ent in by_kind["person"]
    for alias, t in aliases.get(ent, [])
    if t == "aka" and len(fold(alias)) == 2
]
random.shuffle(short_aliases)
for ent, alias in short_aliases:
    if made >= 60:
        break
    words = set(fold(alias))
    for other, name in person_names:
        if other != ent and words <= set(fold(name)) and len(fold(name)) >= 4:
            made += add(reading_order(name, "person"), alias, 0, "person", "short-alias-inside")
            break

# --- UN: original scripts ----------------------------------------------------------
root = ET.parse(UN).getroot()
un_people = []
for person in root.iter("INDIVIDUAL"):
    parts = [
        (person.findtext(tag) or "").strip()
        for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    ]
    latin = " ".join(p for p in parts if p)
    original = (person.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
    if latin and original:
        un_people.append((latin, original))


def script_of(text):
    for c in text:
        if c.isalpha():
            name = unicodedata.name(c, "")
            for script in ("ARABIC", "CYRILLIC", "GREEK", "HEBREW", "HANGUL", "HIRAGANA",
                           "KATAKANA", "CJK"):
                if name.startswith(script):
                    return {"CJK": "han", "HIRAGANA": "kana", "KATAKANA": "kana"}.get(
                        script, script.lower())
            return "latin"
    return "latin"


random.shuffle(un_people)
for latin, original in un_people:
    script = script_of(original)
    if script == "latin":
        continue
    add(original, latin, 1, "person", "un-original-script", script)
# Different people: one's original-script name against another's Latin name sharing a
# word, and two original-script names sharing a word.
latin_words = defaultdict(list)
for i, (latin, _) in enumerate(un_people):
    for word in set(fold(latin)):
        if len(word) > 2 and word not in ("al",):
            latin_words[word].append(i)
made = 0
for i, (latin, original) in enumerate(un_people):
    if script_of(original) == "latin":
        continue
    words = list(set(fold(latin)))
    random.shuffle(words)
    for word in words:
        others = [o for o in latin_words.get(word, []) if o != i]
        if others:
            o = random.choice(others)
            if sorted(fold(latin)) == sorted(fold(un_people[o][0])):
                continue
            made += add(original, un_people[o][0], 0, "person", "un-other-person-latin",
                        script_of(original))
            if script_of(un_people[o][1]) == script_of(original) and random.random() < 0.6:
                add(original, un_people[o][1], 0, "person", "un-other-person-same-script",
                    script_of(original))
            break

# --- Public figures, in their own script and in Latin letters -----------------------
# (own script, Latin), same person.
SAME = {
    "han": """习近平|Xi Jinping
李强|Li Qiang
王毅|Wang Yi
胡锦涛|Hu Jintao
江泽民|Jiang Zemin
温家宝|Wen Jiabao
李克强|Li Keqiang
毛泽东|Mao Zedong
邓小平|Deng Xiaoping
周恩来|Zhou Enlai
马云|Ma Yun
姚明|Yao Ming
刘翔|Liu Xiang
李娜|Li Na
莫言|Mo Yan
屠呦呦|Tu Youyou
杨利伟|Yang Liwei
刘慈欣|Liu Cixin
张艺谋|Zhang Yimou
章子怡|Zhang Ziyi
韩正|Han Zheng
赵乐际|Zhao Leji
王沪宁|Wang Huning
蔡奇|Cai Qi
丁薛祥|Ding Xuexiang
王岐山|Wang Qishan
薄熙来|Bo Xilai
周永康|Zhou Yongkang
任正非|Ren Zhengfei
马化腾|Ma Huateng
李彦宏|Li Yanhong
雷军|Lei Jun
习近平|XI, Jinping
李克强|Li Ke Qiang
毛泽东|Mao Tse-tung
蔡英文|Tsai Ing-wen
習近平|习近平
鄧小平|邓小平
溫家寶|温家宝
馬雲|马云""",
    "hangul": """김정은|Kim Jong Un
김정일|Kim Jong Il
김일성|Kim Il Sung
김여정|Kim Yo Jong
문재인|Moon Jae-in
윤석열|Yoon Suk Yeol
이재명|Lee Jae-myung
박근혜|Park Geun-hye
이명박|Lee Myung-bak
노무현|Roh Moo-hyun
김대중|Kim Dae-jung
반기문|Ban Ki-moon
손흥민|Son Heung-min
김연아|Kim Yuna
최룡해|Choe Ryong Hae
리설주|Ri Sol Ju
박봉주|Pak Pong Ju
김영철|Kim Yong Chol
현송월|Hyon Song Wol
한덕수|Han Duck-soo
김정은|Kim Jong-un
김정은|KIM Jong Eun
박정희|Park Chung-hee
이승만|Syngman Rhee
김영삼|Kim Young-sam""",
    "kana": """ドナルド・トランプ|Donald Trump
ウラジーミル・プーチン|Vladimir Putin
ジョー・バイデン|Joe Biden
アンゲラ・メルケル|Angela Merkel
やまだ たろう|Yamada Taro
タナカ ハナコ|Tanaka Hanako
スズキ イチロー|Suzuki Ichiro
サトウ ケンジ|Sato Kenji""",
    "greek": """Κυριάκος Μητσοτάκης|Kyriakos Mitsotakis
Αλέξης Τσίπρας|Alexis Tsipras
Γιώργος Παπανδρέου|Giorgos Papandreou
Ανδρέας Παπανδρέου|Andreas Papandreou
Κωνσταντίνος Καραμανλής|Konstantinos Karamanlis
Αντώνης Σαμαράς|Antonis Samaras
Γιάνης Βαρουφάκης|Yanis Varoufakis
Αικατερίνη Σακελλαροπούλου|Aikaterini Sakellaropoulou
Κωνσταντίνος Τασούλας|Konstantinos Tasoulas
Προκόπης Παυλόπουλος|Prokopis Pavlopoulos
Γιάννης Αντετοκούνμπο|Giannis Antetokounmpo
Στέφανος Τσιτσιπάς|Stefanos Tsitsipas
Μαρία Σάκκαρη|Maria Sakkari
Νίκος Αναστασιάδης|Nicos Anastasiades
Νίκος Χριστοδουλίδης|Nikos Christodoulides
Ευάγγελος Βενιζέλος|Evangelos Venizelos
Ελευθέριος Βενιζέλος|Eleftherios Venizelos
Κωνσταντίνος Μητσοτάκης|Constantine Mitsotakis
Γιώργος Παπανδρέου|George Papandreou
Μελίνα Μερκούρη|Melina Mercouri""",
    "hebrew": """בנימין נתניהו|Benjamin Netanyahu
יצחק רבין|Yitzhak Rabin
שמעון פרס|Shimon Peres
אריאל שרון|Ariel Sharon
גולדה מאיר|Golda Meir
דוד בן-גוריון|David Ben-Gurion
מנחם בגין|Menachem Begin
אהוד ברק|Ehud Barak
אהוד אולמרט|Ehud Olmert
נפתלי בנט|Naftali Bennett
יאיר לפיד|Yair Lapid
יצחק הרצוג|Isaac Herzog
ראובן ריבלין|Reuven Rivlin
בני גנץ|Benny Gantz
יואב גלנט|Yoav Gallant
משה דיין|Moshe Dayan
חיים ויצמן|Chaim Weizmann
בנימין נתניהו|Binyamin Netanyahu
יצחק רבין|Itzhak Rabin
שמעון פרס|Simon Peres""",
    "cyrillic": """Сергей Лавров|Sergey Lavrov
Дмитрий Медведев|Dmitry Medvedev
Михаил Мишустин|Mikhail Mishustin
Сергей Шойгу|Sergei Shoigu
Рамзан Кадыров|Ramzan Kadyrov
Евгений Пригожин|Yevgeny Prigozhin
Олег Дерипаска|Oleg Deripaska
Роман Абрамович|Roman Abramovich
Алишер Усманов|Alisher Usmanov
Александр Лукашенко|Alexander Lukashenko
Виктор Янукович|Viktor Yanukovych
Юлия Тимошенко|Yulia Tymoshenko
Володимир Зеленський|Volodymyr Zelenskyy
Пётр Порошенко|Petro Poroshenko
Владимир Зеленский|Vladimir Zelensky
Сергей Лавров|Sergei Lavrov
Дмитрий Медведев|Dmitrii Medvedev
Евгений Пригожин|Evgeniy Prigozhin
Алексей Миллер|Alexey Miller
Игорь Сечин|Igor Sechin
Геннадий Тимченко|Gennady Timchenko
Аркадий Ротенберг|Arkady Rotenberg
Александр Вучич|Aleksandar Vucic
Бойко Борисов|Boyko Borisov""",
    "arabic": """فرناندو بيريز|Fernando Perez
دونالد ترامب|Donald Trump
جو بايدن|Joe Biden
إيمانويل ماكرون|Emmanuel Macron
أنجيلا ميركل|Angela Merkel
بوريس جونسون|Boris Johnson
فلاديمير بوتين|Vladimir Putin
باراك أوباما|Barack Obama
جورج بوش|George Bush
توني بلير|Tony Blair
ليونيل ميسي|Lionel Messi
كريستيانو رونالدو|Cristiano Ronaldo
محمد بن سلمان|Mohammed bin Salman
بشار الأسد|Bashar al-Assad
صدام حسين|Saddam Hussein
أسامة بن لادن|Osama bin Laden
معمر القذافي|Muammar Gaddafi
ياسر عرفات|Yasser Arafat
جمال عبد الناصر|Gamal Abdel Nasser
حسني مبارك|Hosni Mubarak
عبد الفتاح السيسي|Abdel Fattah el-Sisi
علی خامنه‌ای|Ali Khamenei
حسن روحانی|Hassan Rouhani
محمود احمدی‌نژاد|Mahmoud Ahmadinejad
ابراهیم رئیسی|Ebrahim Raisi
قاسم سلیمانی|Qasem Soleimani
جواد ظريف|Javad Zarif
أيمن الظواهري|Ayman al-Zawahiri
أبو بكر البغدادي|Abu Bakr al-Baghdadi
حسن نصر الله|Hassan Nasrallah""",
}
# (own script, other name), different people who share a surname, characters or a sound.
DIFFERENT = {
    "han": """高石早苗|高市早苗
李强|李克强
王毅|王一
张伟|章伟
习近平|习仲勋
李鹏|李朋
刘翔|刘祥
王毅|Wang Yang
习近平|Xi Zhongxun
李强|Li Qing
毛泽东|Mao Anying
胡锦涛|Hu Yaobang
马云|Ma Huateng
张艺谋|Zhang Ziyi
周恩来|Zhou Yongkang
江泽民|江青
邓小平|邓颖超
王岐山|王沪宁
雷军|雷锋""",
    "hangul": """김정은|김정일
김정은|Kim Jong Il
김여정|Kim Yong Chol
이재명|Lee Myung-bak
박근혜|Park Chung-hee
김정일|김일성
김대중|Kim Dae-ho
문재인|Moon Jae-won
윤석열|Yoon Suk-min
김영철|김영삼
박봉주|Pak Pong Chol
최룡해|Choe Ryong Su
김연아|Kim Yong-ae
리설주|Ri Sol Ho
손흥민|Son Heung-soo""",
    "kana": """ドナルド・トランプ|Donald Tusk
タナカ ハナコ|Tanaka Haruko
スズキ イチロー|Suzuki Jiro""",
    "greek": """Ανδρέας Παπανδρέου|Giorgos Papandreou
Ευάγγελος Βενιζέλος|Eleftherios Venizelos
Κωνσταντίνος Καραμανλής|Konstantinos Tasoulas
Κυριάκος Μητσοτάκης|Konstantinos Mitsotakis
Αλέξης Τσίπρας|Alexis Tsitsipas
Νίκος Αναστασιάδης|Nikos Christodoulides
Μαρία Σάκκαρη|Maria Sakellari
Στέφανος Τσιτσιπάς|Stefanos Tsipras
Γιάννης Αντετοκούνμπο|Thanasis Antetokounmpo""",
    "hebrew": """יצחק רבין|Yitzhak Herzog
אהוד ברק|Ehud Olmert
בנימין נתניהו|Benny Gantz
יאיר לפיד|Yosef Lapid
שמעון פרס|Shimon Perez Cohen
משה דיין|Moshe Arens
דוד בן-גוריון|David Ben-Ari
אריאל שרון|Ariel Sharir
נפתלי בנט|Naftali Bennet Levi
גולדה מאיר|Golda Meirson Katz""",
    "cyrillic": """Дмитрий Медведев|Dmitry Mazepin
Сергей Лавров|Sergey Ivanov
Олег Дерипаска|Oleg Tinkov
Александр Лукашенко|Aleksandr Lebed
Роман Абрамович|Roman Abramov
Виктор Янукович|Viktor Yushchenko
Юлия Тимошенко|Yulia Timchenko
Геннадий Тимченко|Gennady Timoshenko
Игорь Сечин|Igor Sechenov
Алексей Миллер|Alexei Mironov
Аркадий Ротенберг|Boris Rotenberg
Сергей Шойгу|Sergei Shoigu Ivanovich Petrov""",
    "arabic": """دونالد ترامب|Donald Tusk
صدام حسين|Saddam Hussain al-Majid
حسن روحانی|Hassan Rouhi
بشار الأسد|Bashar al-Asaad Rifaat
محمد بن سلمان|Mohammed bin Zayed
جو بايدن|Joe Bidden Smith
أيمن الظواهري|Ayman Zawahri Nasir
حسن نصر الله|Hassan Nasri
ياسر عرفات|Yasser Arafa Moussa
قاسم سلیمانی|Qasem Soleymanpour
عبد الفتاح السيسي|Abdel Fattah Burhan""",
}
for script, text in SAME.items():
    for line in text.splitlines():
        a, b = line.split("|")
        add(a, b, 1, "person", "public-figure", script)
for script, text in DIFFERENT.items():
    for line in text.splitlines():
        a, b = line.split("|")
        add(a, b, 0, "person", "public-figure-different", script)

out = os.path.join(HERE, "labelled_pairs.tsv")
with open(out, "w", encoding="utf-8") as f:
    f.write("# name_a\tname_b\tlabel\tkind\tscript\tcategory\tsplit\n")
    for row in rows:
        f.write("\t".join(str(x) for x in row) + "\n")
print(f"{len(rows)} pairs -> {out}", file=sys.stderr)

"""spaCy's reserved strings (``spacy.symbols.IDS``), whose ids are not hashes, and the
attribute ids and ``DocBin`` layout the spaCy export writes.

``get_string_id`` gives a reserved string its place in this list instead of its hash, so a
word such as "number", "root" or "PERSON" is stored as a small id. Copied from spaCy 3.8
(``spacy/symbols.pyx``, ``spacy/tokens/_serialize.py``) so that the export need not import
spaCy; ``tests/core/test_export_spacy_noimport.py`` holds every value here to the installed
spaCy's, so an upgrade that changes one fails there instead of writing wrong ids.
"""

from __future__ import annotations

from collections.abc import Iterable


def _words(text: str) -> list[str]:
    return text.split()


# spacy.symbols.NAMES: the reserved strings in id order, "" (id 0) first.
SYMBOL_NAMES: tuple[str, ...] = (
    "",
    *_words(
        "IS_ALPHA IS_ASCII IS_DIGIT IS_LOWER IS_PUNCT IS_SPACE IS_TITLE IS_UPPER LIKE_URL "
        "LIKE_NUM LIKE_EMAIL IS_STOP IS_OOV_DEPRECATED IS_BRACKET IS_QUOTE IS_LEFT_PUNCT "
        "IS_RIGHT_PUNCT IS_CURRENCY"
    ),
    *(f"FLAG{i}" for i in range(19, 64)),
    *_words(
        "ID ORTH LOWER NORM SHAPE PREFIX SUFFIX LENGTH CLUSTER LEMMA POS TAG DEP ENT_IOB ENT_TYPE "
        "HEAD SENT_START SPACY PROB LANG ADJ ADP ADV AUX CONJ CCONJ DET INTJ NOUN NUM PART PRON "
        "PROPN PUNCT SCONJ SYM VERB X EOL SPACE"
    ),
    *(f"DEPRECATED{i:03d}" for i in range(1, 277)),
    *_words(
        "PERSON NORP FACILITY ORG GPE LOC PRODUCT EVENT WORK_OF_ART LANGUAGE LAW DATE TIME "
        "PERCENT MONEY QUANTITY ORDINAL CARDINAL acomp advcl advmod agent amod appos attr aux "
        "auxpass cc ccomp complm conj cop csubj csubjpass dep det dobj expl hmod hyph infmod intj "
        "iobj mark meta neg nmod nn npadvmod nsubj nsubjpass num number oprd obj obl parataxis "
        "partmod pcomp pobj poss possessive preconj prep prt punct quantmod relcl rcmod root "
        "xcomp acl ENT_KB_ID MORPH ENT_ID IDX _"
    ),
)
SYMBOL_IDS: dict[str, int] = {name: i for i, name in enumerate(SYMBOL_NAMES)}

# spacy.attrs: the token attributes the export writes (an attribute's id is its symbol's).
ORTH = SYMBOL_IDS["ORTH"]
ENT_IOB = SYMBOL_IDS["ENT_IOB"]
ENT_TYPE = SYMBOL_IDS["ENT_TYPE"]
SENT_START = SYMBOL_IDS["SENT_START"]
SPACY = SYMBOL_IDS["SPACY"]

DOCBIN_VERSION = "0.1"  # DocBin().version, the file's "version"


def docbin_attrs(names: Iterable[str]) -> list[int]:
    """``DocBin(attrs=names).attrs``: the ids sorted, ORTH first, SPACY left out (DocBin keeps
    it as the ``spaces`` column)."""
    ids = sorted(SYMBOL_IDS[name] for name in names)
    return [ORTH, *(i for i in ids if i not in (ORTH, SPACY))]

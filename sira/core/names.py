"""Name normalisation for search: the parts of a name, their prefixes, and a phonetic key built for
the way Malian and West African names are written in French (and sometimes English or Bambara)
spelling, so that Coulibaly, Koulibaly, Kulibali and Coulibali share a key while Diarra and Diallo,
Keita and Kanté, Traoré and Touré do not.

The tokens stored beside the encrypted names (cases.PersonNameToken) are keyed HMACs of these forms
(sira.core.crypto.blind_index), each tagged with its kind so an exact word, a prefix and a phonetic key
never share a token. Nothing here touches the database."""

import re
import unicodedata

from sira.core.crypto import blind_index, blind_indexes

# Prefixes from 2 to 8 letters are indexed: enough to find a person while typing, without storing a
# token for every possible prefix of long names.
PREFIX_MIN = 2
PREFIX_MAX = 8

_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NOT_LETTER = re.compile(r"[^a-z]+")
VOWELS = "aeiou"

# Variants that differ by a vowel no general rule can fold without merging distinct names: mapped
# from their phonetic key to the key of the usual French spelling.
VARIANT_KEYS = {
    "fatimata": "fatumata",  # Fatimata, Fatoumata
    "aminatu": "aminata",  # Aminatou, Aminata
    "kadijatu": "kajatu",  # Kadidiatou, Kadiatou
}

# Kinds of token, by strength of the match they give: a search ranks exact words first. TYPO tokens
# (the phonetic key with one letter left out) are never looked for by a search: the duplicate check
# (sira.duplicates) finds with them two spellings one typing slip apart (Cissoko/Cissuko, Diarra/Djmarra).
EXACT, PHONETIC, PREFIX, PHONETIC_PREFIX, TYPO = 4, 3, 2, 1, 0
_TAGS = {EXACT: "w", PHONETIC: "s", PREFIX: "p", PHONETIC_PREFIX: "sp", TYPO: "d"}
WORD_TYPO_TAG = "dw"  # a TYPO token of the written word (its key's are tagged "d")
TYPO_MIN = 4  # keys shorter than this get no typo tokens (one slip in "ba" is another name)
MAX_QUERY_WORDS = 6


def fold(text: str) -> str:
    """Lower case, accents removed (é→e, ï→i, ç→c), apostrophes dropped (N'Diaye→ndiaye)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _APOSTROPHES.sub("", stripped.lower())


def name_parts(*names: str | None) -> list[str]:
    """The words of the given names, folded, in order, without repeats. Hyphens, dots and any other
    non-letter separate words ("Marie-Claire" → marie, claire)."""
    parts: list[str] = []
    for name in names:
        for word in _NOT_LETTER.split(fold(name or "")):
            if word and word not in parts:
                parts.append(word)
    return parts


def phonetic(word: str) -> str:
    """A phonetic key for one folded name part (lower-case a–z). Rules, in order:
    ph→f, gh→g; dj→j and di+vowel→j (Diallo/Jallo, Diakité/Jakité, Bandiougou/Bandjougou);
    ch, sh→x; ck, qu, q→k; c before e/i/y→s, other c→k (Cissé/Sissé, Coulibaly/Koulibaly);
    gu before e/i→g; ou before a vowel→w (Ouattara/Wattara), other ou→u (Mamadou/Mamadu, Oumar/Umar);
    ny→ni; h is silent (Hawa/Awa, Bah/Ba); double letters single (Diarra/Diara, Sissoko/Sisoko); a
    final e is silent (Traoré/Traore, Sidibé/Sidibe, Mariame/Mariam); y→i unless a vowel follows
    (Coulibaly/Coulibali, Seydou/Seidou, Abdoulaye/Abdoulai, but Kouyaté keeps its y); then the few
    vowel variants in VARIANT_KEYS."""
    w = _NOT_LETTER.sub("", fold(word))
    w = w.replace("ph", "f").replace("gh", "g")
    w = w.replace("dj", "j")
    w = re.sub(r"di(?=[aeiou])", "j", w)
    w = re.sub(r"[cs]h", "x", w)
    w = w.replace("ck", "k").replace("qu", "k").replace("q", "k")
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k")
    w = re.sub(r"gu(?=[ei])", "g", w)
    w = re.sub(r"ou(?=[aeio])", "w", w).replace("ou", "u")
    w = w.replace("ny", "ni")
    w = w.replace("h", "")
    w = re.sub(r"(.)\1+", r"\1", w)
    if len(w) > 2 and w.endswith("e"):
        w = w[:-1]
    w = re.sub(r"(.)\1+", r"\1", re.sub(r"y(?![aeiou])", "i", w))
    return VARIANT_KEYS.get(w, w)


def prefixes(word: str) -> list[str]:
    """The indexed prefixes of a word, shortest first, excluding the word itself."""
    return [word[:n] for n in range(PREFIX_MIN, min(PREFIX_MAX, len(word) - 1) + 1)]


def deletions(key: str) -> list[str]:
    """The key with one letter left out, each distinct once (none for keys under TYPO_MIN letters).
    Two keys one substitution, insertion, deletion or swap apart share one of these or the key."""
    if len(key) < TYPO_MIN:
        return []
    return list(dict.fromkeys(key[:i] + key[i + 1 :] for i in range(len(key))))


def _token(kind: int, value: str) -> str:
    return blind_index(f"{_TAGS[kind]}:{value}")


def name_tokens(*names: str | None) -> dict[str, int]:
    """Keyed tokens for a person's names: token → kind. Each part gives its exact form, its phonetic
    key, the prefixes of both, and the one-letter deletions of both (TYPO)."""
    tokens: dict[str, int] = {}
    for part in name_parts(*names):
        key = phonetic(part)
        candidates = [(EXACT, part), (PHONETIC, key)]
        candidates += [(PREFIX, p) for p in prefixes(part)]
        candidates += [(PHONETIC_PREFIX, p) for p in prefixes(key)]
        candidates += [(TYPO, d) for d in deletions(key)]
        for kind, value in candidates:
            token = _token(kind, value)
            tokens[token] = max(kind, tokens.get(token, TYPO))
        for value in [part, *deletions(part)] if len(part) >= TYPO_MIN else []:
            tokens.setdefault(blind_index(f"{WORD_TYPO_TAG}:{value}"), TYPO)
    return tokens


def query_words(text: str) -> list[str]:
    """The words of a search, folded like names; single letters are ignored (initials)."""
    return [w for w in name_parts(text) if len(w) >= PREFIX_MIN][:MAX_QUERY_WORDS]


def word_tokens(word: str) -> list[str]:
    """The tokens a person's name must hold one of for it to match this search word: the word itself,
    its phonetic key, and the same two as prefixes (a word longer than the longest indexed prefix is
    looked up by its first PREFIX_MAX letters). While the blind-index key is being rotated, the tokens
    under the older keys are looked for too (sira.core.crypto.blind_indexes)."""
    return [token for _kind, tokens in word_tokens_by_kind(word) for token in tokens]


def word_tokens_by_kind(word: str) -> list[tuple[int, list[str]]]:
    """`word_tokens` grouped by kind, the best kind first (exact, phonetic, prefix, phonetic prefix):
    the tiers of a ranked search (sira.cases.search.tiers)."""
    key = phonetic(word)
    forms = [(EXACT, word), (PHONETIC, key), (PREFIX, word[:PREFIX_MAX]), (PHONETIC_PREFIX, key[:PREFIX_MAX])]
    return [(kind, list(blind_indexes(f"{_TAGS[kind]}:{value}"))) for kind, value in forms]

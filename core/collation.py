"""Sorting names the Vietnamese way, without ICU.

Python's ``sorted`` compares code points: "Đ" (U+0110) comes after "Z", "Ấp"
after "Xã", and a capital before every small letter. ``vietnamese_key`` orders
as a Vietnamese dictionary or a unit list printed in Vietnam does:

1. letters by the alphabet a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r
   s t u ư v (w) x y (z), whatever the tone and the case;
2. then, for names equal so far, by the tones from the first letter on:
   none, huyền (à), hỏi (ả), ngã (ã), sắc (á), nặng (ạ) — CLDR's order;
3. then small letters before capitals, so the order is total.

Numbers inside a name compare by their value ("Phường 2" before "Phường 10"),
spaces and punctuation before digits, digits before letters.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# A letter with its letter-making mark (breve, circumflex, horn) decomposed.
_MARKED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}
_DIGIT_WIDTH = 12

# Primary weights: spaces and punctuation keep their code point (below 0x800),
# then digits, then the letters of the alphabet, then any other letter.
_DIGITS_AT = 0x800
_LETTERS_AT = 0x1000
_OTHERS_AT = 0x2000


def _letters(text: str) -> list[tuple[str, int, bool]]:
    """(base letter or character, tone 0–5, was a capital) for each character."""
    out: list[tuple[str, int, bool]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if not out:
                continue
            base, tone, upper = out[-1]
            if char in _TONES:
                out[-1] = (base, _TONES[char], upper)
            elif (base, char) in _MARKED:
                out[-1] = (_MARKED[base, char], tone, upper)
            continue
        lower = char.lower()[:1]  # "İ".lower() is two characters
        out.append((lower, 0, char != lower))
    return out


def vietnamese_key(text: str) -> tuple[str, str, str]:
    """A sort key for ``text`` in Vietnamese alphabetical order (see the module)."""
    letters = _letters(text or "")
    primary: list[str] = []
    tones: list[str] = []
    cases: list[str] = []
    digits = ""

    def flush() -> None:
        nonlocal digits
        if digits:
            value = digits.lstrip("0") or "0"
            primary.extend(chr(_DIGITS_AT + int(d)) for d in value.rjust(_DIGIT_WIDTH, "0"))
            digits = ""

    for base, tone, upper in letters:
        if base.isdigit() and base.isascii():
            digits += base
            continue
        flush()
        if base in _RANK:
            primary.append(chr(_LETTERS_AT + _RANK[base]))
        elif base.isspace():
            primary.append(" ")
        elif ord(base) < _DIGITS_AT and not base.isalpha():
            primary.append(base)
        else:
            primary.append(chr(min(_OTHERS_AT + ord(base), 0x10FFFF)))
        tones.append(str(tone))
        cases.append("1" if upper else "0")
    flush()
    return "".join(primary), "".join(tones), "".join(cases)

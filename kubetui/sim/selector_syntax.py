"""The syntax errors of a label selector, worded as kube-apiserver's selector lexer and parser word them
(``found '=', expected: identifier``); what is well formed is parsed and checked in selectors.py."""

from __future__ import annotations

SPECIAL = "!=(),><"
SYMBOLS = {"!": "!", "!=": "!=", "=": "=", "==": "==", "(": "(", ")": ")", ",": ",", ">": ">", "<": "<"}
OPERATORS = {"in", "notin", "=", "==", "!=", ">", "<"}
EXPECTED_OPERATORS = "in, notin, =, ==, !=, gt, lt"
END = ""  # the end-of-string token
IDENT = "identifier"


class SelectorSyntaxError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, literal) pairs: kind is IDENT, a symbol, or END last."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in SPECIAL:
            buffer, last = "", ""
            while i < len(text) and text[i] in SPECIAL:
                buffer += text[i]
                if buffer in SYMBOLS:
                    last = buffer
                elif last:
                    break
                i += 1
            if not last:
                raise SelectorSyntaxError(f"error expected: keyword found '{buffer}'")
            out.append((last, last))
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in SPECIAL:
                i += 1
            out.append((IDENT, text[start:i]))
    out.append((END, ""))
    return out


def check(text: str) -> None:
    """Raises SelectorSyntaxError with kube-apiserver's words if ``text`` is not a well-formed selector."""
    toks = _tokens(text)
    pos = 0

    def peek() -> tuple[str, str]:
        return toks[min(pos, len(toks) - 1)]

    def take() -> tuple[str, str]:
        nonlocal pos
        tok = peek()
        pos += 1
        return tok

    while True:
        kind, lit = peek()
        if kind == END:
            return
        if kind not in (IDENT, "!"):
            raise SelectorSyntaxError(f"found '{lit}', expected: !, identifier, or 'end of string'")
        try:
            _requirement(peek, take)
        except SelectorSyntaxError as err:
            raise SelectorSyntaxError(f"unable to parse requirement: {err}") from None
        kind, lit = take()
        if kind == END:
            return
        if kind != ",":
            raise SelectorSyntaxError(f"found '{lit}', expected: ',' or 'end of string'")
        kind, lit = peek()
        if kind not in (IDENT, "!"):
            raise SelectorSyntaxError(f"found '{lit}', expected: identifier after ','")


def _requirement(peek: object, take: object) -> None:
    assert callable(peek) and callable(take)
    kind, lit = take()
    negated = kind == "!"
    if negated:
        kind, lit = take()
    if kind != IDENT:
        raise SelectorSyntaxError(f"found '{lit}', expected: identifier")
    if peek()[0] in (END, ","):
        return  # exists / does not exist
    if negated:
        return
    kind, lit = take()
    op = lit if kind != IDENT else lit.lower()
    if op not in OPERATORS or (kind == IDENT and op not in ("in", "notin")):
        raise SelectorSyntaxError(f"found '{lit}', expected: {EXPECTED_OPERATORS}")
    if op in ("in", "notin"):
        _values(peek, take)
        return
    if peek()[0] in (END, ","):
        return  # an empty value
    kind, lit = take()
    if kind != IDENT:
        raise SelectorSyntaxError(f"found '{lit}', expected: identifier")


def _values(peek: object, take: object) -> None:
    assert callable(peek) and callable(take)
    kind, lit = take()
    if kind != "(":
        raise SelectorSyntaxError(f"found '{lit}' expected: '('")
    while True:
        kind, lit = take()
        if kind == ")":
            return
        if kind == IDENT:
            kind, lit = take()
            if kind == ")":
                return
            if kind == ",":
                continue
        elif kind == ",":
            continue
        raise SelectorSyntaxError(f"found '{lit}', expected: ',', ')' or identifier")

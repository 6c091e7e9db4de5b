"""A report's values as the text a table, CSV or Markdown shows."""


def cell(value: object) -> str:
    """One value as text; a path of hops reads as a chain.

    >>> hops = [{"from": "a", "relation": "fine-tuned", "to": "b"}]
    >>> cell(hops + [{"from": "b", "relation": "trained-on", "to": "c"}])
    'a -fine-tuned-> b -trained-on-> c'
    """
    if type(value) is str:  # most cells: first, before the other tests
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(hop, dict) for hop in value):
        if not value:
            return ""
        return " ".join([value[0]["from"], *(f"-{h['relation']}-> {h['to']}" for h in value)])
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


_EMPTY = {None: ""}  # a missing value shows as nothing


def texts(values: list) -> list[str]:
    """A column's values as text; the usual columns (text, text and nulls, whole numbers)
    in C-level steps, without a Python step per cell."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        return list(map(_EMPTY.get, values, values))
    if kinds == {int}:
        return list(map(str, values))
    return list(map(cell, values))

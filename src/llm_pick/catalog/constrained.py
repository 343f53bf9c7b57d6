"""The catalog's constrained names (Positive, Text, Blocks, ...) and their plausible limits.

They are plain placeholders (int, str, ...) on the hot path. `bind_constraints()` gives them
their annotated_types constraints, in this module and in every module whose dataclasses use
them (USERS), just before pydantic reads the annotations (catalog/validate.py).
"""

from __future__ import annotations

# Modules whose annotations name the constrained types below.
USERS = ("llm_pick.catalog.types", "llm_pick.catalog.shapes", "llm_pick.catalog.localfile")
_BOUND: list[bool] = []

# Constrained types, as pydantic sees them after bind_constraints().
Positive = int  # > 0
Count = int  # >= 0
Text = str  # at least one character, at most MAX_TEXT
Note = str  # at most MAX_TEXT characters
Code = str  # a language code, at least two characters
Texts = list[str]  # a non-empty list of Text
Codes = list[str]  # a non-empty list of Code
Layers = int  # norms per layer: 1..4
Theta = float  # > 0
Experts = int  # >= 2
Percent = float  # 0..100
# Plausible maximums (issue 9): far above any released model, low enough that no estimate
# loops for minutes or runs out of memory on a typo. docs/catalog.md lists them.
ParamCount = int  # 1..1e14 parameters
Blocks = int  # decoder layers: 1..1024
Width = int  # hidden or MLP width: 1..2**22
Heads = int  # attention or KV heads, head width, experts per token: 1..4096
Vocab = int  # 1..2**24 tokens
Tokens = int  # context, window, positions: 1..2**30 tokens
Shots = int  # 0..1000
Layers8 = int  # convolution width: 1..64
Scale = float  # a RoPE scaling factor: 1..1024
MAX_TEXT = 100_000  # characters in any one catalog string


def bind_constraints() -> None:
    """Give the constrained names their annotated_types constraints (validation only)."""
    from typing import Annotated

    from annotated_types import Ge, Gt, Le, MaxLen, MinLen

    if _BOUND:
        return
    _BOUND.append(True)
    bound = dict(
        Positive=Annotated[int, Gt(0)],
        Count=Annotated[int, Ge(0)],
        Text=Annotated[str, MinLen(1), MaxLen(MAX_TEXT)],
        Note=Annotated[str, MaxLen(MAX_TEXT)],
        Code=Annotated[str, MinLen(2)],
        Texts=Annotated[list[Annotated[str, MinLen(1), MaxLen(MAX_TEXT)]], MinLen(1), MaxLen(1000)],
        Codes=Annotated[list[Annotated[str, MinLen(2)]], MinLen(1), MaxLen(1000)],
        Layers=Annotated[int, Ge(1), Le(4)],
        Theta=Annotated[float, Gt(0), Le(1e12)],
        Experts=Annotated[int, Ge(2), Le(4096)],
        Percent=Annotated[float, Ge(0), Le(100)],
        ParamCount=Annotated[int, Gt(0), Le(10**14)],
        Blocks=Annotated[int, Gt(0), Le(1024)],
        Width=Annotated[int, Gt(0), Le(2**22)],
        Heads=Annotated[int, Gt(0), Le(4096)],
        Vocab=Annotated[int, Gt(0), Le(2**24)],
        Tokens=Annotated[int, Gt(0), Le(2**30)],
        Shots=Annotated[int, Ge(0), Le(1000)],
        Layers8=Annotated[int, Ge(1), Le(64)],
        Scale=Annotated[float, Ge(1), Le(1024)],
    )
    import sys

    for module in ("llm_pick.catalog.constrained", *USERS):
        found = sys.modules.get(module)
        if found is not None:
            found.__dict__.update(bound)

"""Build plain data from a composed YAML node tree in one pass: what PyYAML's safe
constructor builds, for the common case (mappings with string keys, each key once; sequences;
the safe scalar types), without its per-node bookkeeping (a generator and a state check for
every mapping, a method dispatch for every scalar, a duplicate-key pass of its own).

Anything else (a repeated key, a merge key, a key that is not a plain string, a tag other than
the plain safe ones, a recursive alias) raises `Unusual`, and the caller constructs the
document with PyYAML's safe constructor instead, which also reports the error where there is
one: the data and the errors are PyYAML's either way.
"""

from __future__ import annotations

from typing import Any

import yaml

_P = "tag:yaml.org,2002:"
STR, MAP, SEQ = _P + "str", _P + "map", _P + "seq"
# built by the loader's registered constructors (int, float and date are the checked ones)
SCALARS = frozenset(_P + name for name in ("int", "float", "bool", "null", "timestamp"))


class Unusual(Exception):
    """The document needs PyYAML's general constructor."""


def build(loader: Any, root: yaml.Node) -> Any:
    """The data of `root`, as `loader.construct_document(root)` builds it."""
    constructors = loader.yaml_constructors
    scalar, mapping, sequence = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
    built: dict[int, Any] = {}  # collections by node: an alias shares the object, as in PyYAML
    active: set[int] = set()

    def data_of(node: yaml.Node) -> Any:
        tag, kind = node.tag, type(node)
        if kind is scalar:
            if tag == STR:
                return node.value
            if tag in SCALARS:
                return constructors[tag](loader, node)
            raise Unusual
        key = id(node)
        if key in built:
            return built[key]
        if key in active:
            raise Unusual  # a recursive alias
        active.add(key)
        data: Any
        if tag == MAP and kind is mapping:
            data = {}
            for key_node, value_node in node.value:
                if type(key_node) is not scalar or key_node.tag != STR:
                    raise Unusual  # merge keys, collections or other types as keys
                name = key_node.value
                if name in data:
                    raise Unusual  # a repeated key: PyYAML's constructor reports it
                data[name] = data_of(value_node)
        elif tag == SEQ and kind is sequence:
            data = [data_of(item) for item in node.value]
        else:
            raise Unusual
        active.discard(key)
        built[key] = data
        return data

    return data_of(root)

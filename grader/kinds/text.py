"""YAML as course files, uploads and authoring forms hold it, and the form's text fields."""

from __future__ import annotations

from typing import Any

import yaml

MAX_NESTING = 20  # levels of lists and mappings; real exercise files use fewer than 6


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing before it recurses. Composing nodes is recursive, so a
    deeply nested file would end in RecursionError; and an alias (*name) lets a few lines
    stand for a huge tree once the data is copied, so course files do without them."""

    depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not supported", mark)
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"lists and mappings nest deeper than {MAX_NESTING} levels", mark
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_yaml(text: str) -> Any:
    """YAML from a course file, an upload or a form field; raises yaml.YAMLError."""
    return yaml.load(text, Loader=_BoundedLoader)  # a SafeLoader: plain data only


def lf(text: str | None) -> str | None:
    """Text typed in a browser arrives with CRLF line endings; files and exports use LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def yaml_field(values: dict, name: str, error, default=None):
    """A form field holding YAML, read; a syntax error is reported on the field."""
    text = values.get(name) or ""
    if not text.strip():
        return default
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        error(name, f"Invalid YAML: {exc}")
        return default


def names_list(text: str | None) -> list[str]:
    """ "x, y" or "x y" as a list of names."""
    return [part for part in (text or "").replace(",", " ").split() if part]


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, text: str):
    # Code and statements read best as literal blocks, exactly as the built-in course writes
    # them (PyYAML falls back to quotes for text a block cannot hold, such as trailing spaces).
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)

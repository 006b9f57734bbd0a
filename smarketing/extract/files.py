"""File drops: a folder of exported API pages, read one file at a time so memory stays flat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Stream


class SourceFolderError(FileNotFoundError):
    pass


def read_pages(stream: Stream, folder: Path) -> Iterator[Page]:
    if not folder.is_dir():
        raise SourceFolderError(f"{stream.source}: source folder {folder} does not exist")
    for path in sorted(folder.glob(stream.files)):
        text = path.read_text(encoding="utf-8-sig")
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceDataError(stream, str(path), exc.lineno, "(file)", f"not valid JSON: {exc.msg}") from None
        yield Page(origin=str(path), body=body)

"""Fast JSON in one place: orjson, with the options every file and column here uses."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def dumps_text(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def loads(data: str | bytes) -> Any:
    return orjson.loads(data)


JSONDecodeError = orjson.JSONDecodeError

"""Label schemas registered in a database, and the one active for everyone on it."""

from __future__ import annotations

from sqlalchemy import (
    select,
)
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from annotator.core.domain.errors import (
    NotFoundError,
)
from annotator.core.domain.faults import fault_point
from annotator.core.domain.records import (
    SchemaRef,
)
from annotator.core.domain.schema import Schema, parse_schema
from annotator.core.storage.db import Database
from annotator.core.storage.models import Setting, StoredSchema

ACTIVE_SCHEMA_KEY = "active_schema_id"


class SchemaService:
    """Schemas used in this database, and the one currently active for everyone on it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, schema: Schema) -> SchemaRef:
        digest = schema.sha256
        with self._db.read() as s:
            row = s.scalar(select(StoredSchema).where(StoredSchema.sha256 == digest))
            if row is not None:
                return SchemaRef(row.id, row.name, row.version, row.sha256)
        try:
            with self._db.write() as s:
                row = StoredSchema(
                    name=schema.name, version=schema.version, sha256=digest, text=schema.source_text
                )
                s.add(row)
                s.flush()
                return SchemaRef(row.id, row.name, row.version, row.sha256)
        except SAIntegrityError:
            return self.register(schema)

    def load(self, schema_id: int) -> Schema:
        with self._db.read() as s:
            row = s.get(StoredSchema, schema_id)
            if row is None:
                raise NotFoundError(f"schema #{schema_id} does not exist")
            return parse_schema(row.text, f"<schema {row.name} {row.version} in database>")

    def set_active(self, schema: Schema) -> SchemaRef:
        """Make ``schema`` everyone's: one committed row, so a kill leaves the old or the new."""
        ref = self.register(schema)
        try:
            with self._db.write() as s:
                s.merge(Setting(key=ACTIVE_SCHEMA_KEY, value=str(ref.id)))
                s.flush()
                fault_point("schema-before-commit")
        except SAIntegrityError:  # merge inserted while another desktop did: update theirs
            with self._db.write() as s:
                s.merge(Setting(key=ACTIVE_SCHEMA_KEY, value=str(ref.id)))
        fault_point("schema-after-commit")
        return ref

    def active(self) -> tuple[SchemaRef, Schema] | None:
        with self._db.read() as s:
            setting = s.get(Setting, ACTIVE_SCHEMA_KEY)
            if setting is None:
                return None
            row = s.get(StoredSchema, int(setting.value))
            if row is None:
                return None
            ref = SchemaRef(row.id, row.name, row.version, row.sha256)
            text = row.text
            label = f"<schema {row.name} {row.version} in database>"
        return ref, parse_schema(text, label)

"""The Hugging Face dataset card (``README.md``) a folder export writes beside its data.

Everything it says is read from the export's manifest, the one record of what the export did:
the card computes nothing again. Its YAML front matter is what the Hub and ``datasets`` read:
``configs`` name each split's file, so ``datasets.load_dataset(FOLDER)`` finds the splits with
no ``"json"`` argument, and ``dataset_info.features`` are the manifest's Features in the card's
YAML form, so every split loads with the schema's types. Its body is for the team lead: the
schema, what the export selected, the splits and how documents were dealt to them, label
counts, what a consumer should know, and how to load it.

Only folder exports get one: a single file's folder is the user's, where a ``README.md``
would describe files the export did not write.
"""

from __future__ import annotations

from typing import Any

import yaml

from annotator.core.services.exporting.splits import datasets_name
from annotator.core.services.exporting.targets import CARD

__all__ = ["CARD", "dataset_card", "front_matter", "yaml_features"]
_TASKS = {"statements": ["text-classification", "token-classification"]}
_SIZES: tuple[tuple[int, str], ...] = tuple(
    (10**n, label)
    for n, label in zip(
        range(3, 9),
        ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M"),
        strict=True,
    )
)


def size_category(records: int) -> str:
    return next((label for limit, label in _SIZES if records < limit), "n>100M")


def yaml_features(features: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's Features (``Features.to_dict`` form) as the card's YAML list, the form
    ``Features._to_yaml_list`` writes and every ``datasets`` from 2.21 reads."""
    return [{"name": name, **_yaml_feature(feature)} for name, feature in features.items()]


def _yaml_feature(feature: Any) -> dict[str, Any]:
    if isinstance(feature, list):  # a list of one item's type
        inner = _yaml_feature(feature[0])
        only = next(iter(inner)) if len(inner) == 1 else None
        return {"list": inner[only] if only in ("dtype", "struct") else inner}
    if feature.get("_type") == "Value":
        return {"dtype": feature["dtype"]}
    return {"struct": yaml_features(feature)}


def pretty_name(manifest: dict[str, Any]) -> str:
    schema = manifest.get("schema")
    named = f"{schema['name']} {schema['version']}" if schema else "Annotations"
    return f"{named} ({manifest['format_title']})"


def _empty(manifest: dict[str, Any]) -> list[str]:
    """Splits without a record: datasets refuses a split with no data, so the card's configs
    leave them out (their empty files are still written)."""
    return [part for part, counts in manifest["splits"].items() if not counts["records"]]


def front_matter(manifest: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "pretty_name": pretty_name(manifest),
        "language": [manifest["language"]],
        "task_categories": _TASKS.get(manifest["format"], ["token-classification"]),
        "size_categories": [size_category(manifest["totals"]["records"])],
        "tags": ["annotator", manifest["format"]],
    }
    features = manifest.get("features")
    if features:  # JSONL with a type for every column: datasets loads the folder as it is
        meta["configs"] = [
            {
                "config_name": "default",
                "data_files": [
                    {"split": datasets_name(part), "path": f["path"]}
                    for part, f in manifest["files"].items()
                    if part not in _empty(manifest)
                ],
            }
        ]
        # No ``splits``: datasets wants their Arrow bytes, which the export does not know.
        meta["dataset_info"] = {"features": yaml_features(features)}
    return meta


def dataset_card(manifest: dict[str, Any]) -> str:
    """The card's text: YAML front matter, then markdown sections."""
    head = yaml.safe_dump(front_matter(manifest), sort_keys=False, allow_unicode=True, width=100)
    sections = (_intro, _schema, _selection, _splits, _labels, _caveats, _loading, _integrity)
    body = "\n".join(section(manifest) for section in sections)
    return f"---\n{head}---\n\n{body}"


def _intro(m: dict[str, Any]) -> str:
    tool = m["tool"]
    return (
        f"# {pretty_name(m)}\n\n"
        f"{m['format_title']}: {m['format_description']} Records: {m['record']}.\n\n"
        f"Written by {tool['name']} {tool['version']} on {m['created']} (export "
        f"`{m['export_id']}`). `manifest.json` beside this card holds every figure below, "
        "and more (examples of each problem, the document ids of each split).\n"
    )


def _schema(m: dict[str, Any]) -> str:
    schema = m.get("schema")
    if schema is None:
        return "## Schema\n\nExported without a schema.\n"
    lists: dict[str, list[str]] = m.get("label_lists", {})
    lines = [
        "## Schema\n",
        f"`{schema['name']}` version {schema['version']} (sha256 `{schema['sha256'][:16]}…`)."
        + (f" {schema['description']}" if schema.get("description") else ""),
        "",
        "| label | attributes |",
        "|---|---|",
    ]
    for label in schema.get("labels", []):
        lines.append(f"| {label['name']} | {_attributes(label, lists)} |")
    relations = schema.get("relations", [])
    if relations:
        lines += ["", "| link | from → to | attributes |", "|---|---|---|"]
        for rel in relations:
            lines.append(
                f"| {rel['name']} | {rel['from']} → {rel['to']} | {_attributes(rel, lists)} |"
            )
    return "\n".join(lines) + "\n"


def _attributes(owner: dict[str, Any], lists: dict[str, list[str]]) -> str:
    found = []
    for attr, kind in owner.get("attributes", {}).items():
        values = lists.get(f"{owner['name']}.{attr}")
        found.append(f"{attr} ({kind}: {', '.join(values)})" if values else f"{attr} ({kind})")
    return "; ".join(found) or "–"


def _listed(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _selection(m: dict[str, Any]) -> str:
    flt = m["filters"]
    layers = ", ".join(f"{layer['name']} ({layer['kind']})" for layer in m["layers"]) or "none"
    lines = [
        "## What the export selected\n",
        f"- statuses: {_listed(flt['statuses'])}",
        f"- annotators: {_listed(flt['annotators'])} (layers read: {layers})",
        f"- labels: {_listed(flt['labels'])}",
    ]
    if m.get("options"):
        lines.append(
            "- options: " + ", ".join(f"{k} = {v}" for k, v in sorted(m["options"].items()))
        )
    left_out = m.get("documents_without_annotations_left_out")
    if left_out:
        lines.append(f"- documents without annotations left out: {left_out}")
    return "\n".join(lines) + "\n"


def _splits(m: dict[str, Any]) -> str:
    lines = [
        "## Splits\n",
        "| split | file | documents | records | spans | links |",
        "|---|---|---|---|---|---|",
    ]
    for part, counts in m["splits"].items():
        path = m["files"].get(part, {}).get("path", "")
        named = datasets_name(part)
        shown = part if named == part else f"{part} (`{named}` in datasets)"
        lines.append(
            f"| {shown} | `{path}` | {counts['documents']} | {counts['records']} | "
            f"{counts['spans']} | {counts['relations']} |"
        )
    empty = _empty(m)
    if empty and m.get("features"):
        lines += [
            "",
            f"Empty, so left out of this card's `configs` (datasets refuses a split with no "
            f"data): {', '.join(empty)}.",
        ]
    split = m.get("split")
    if split is None:
        lines += ["", "Not split: one file holds every record (`train` in datasets)."]
        return "\n".join(lines) + "\n"
    parts = ", ".join(f"{k} {v}" for k, v in split["parts"].items())
    lines += [
        "",
        f"Dealt by {split['grouped_by']}: ratios {parts}, seed {split['seed']}"
        + (f", stratified by {split['stratify']}" if split.get("stratify") else "")
        + ".",
    ]
    deal = split.get("assignment")
    if deal:
        lines.append(
            f"Each document's split is stored in the database and kept by every later export, "
            f"in every format: {deal['how']} ({deal['kept']} kept, "
            f"{deal['newly_dealt_count']} newly dealt"
            + ("; dealt afresh with --redeal" if deal.get("redeal") else "")
            + ")."
        )
    return "\n".join(lines) + "\n"


def _labels(m: dict[str, Any]) -> str:
    parts = list(m["splits"])
    head = "| | " + " | ".join(parts) + " |"
    rule = "|---|" + "---|" * len(parts)
    lines = ["## Label counts\n", "Spans per label and links per type, per split.\n", head, rule]
    for key, title in (("labels", "{}"), ("relation_labels", "{} (link)")):
        names = sorted({n for c in m["splits"].values() for n in c.get(key, {})})
        for name in names:
            row = [str(m["splits"][p].get(key, {}).get(name, 0)) for p in parts]
            lines.append(f"| {title.format(name)} | " + " | ".join(row) + " |")
    values = sorted({n for c in m["splits"].values() for n in c.get("attributes", {})})
    if values:
        lines += ["", "Values per attribute, per split:", "", head, rule]
        for name in values:
            row = [
                ", ".join(
                    f"{v} {n}"
                    for v, n in m["splits"][p].get("attributes", {}).get(name, {}).items()
                )
                or "–"
                for p in parts
            ]
            lines.append(f"| {name} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def _caveats(m: dict[str, Any]) -> str:
    found = [
        f"- **{kind.replace('_', ' ')}**: {p['count']} ({p['meaning']})"
        for kind, p in m.get("problems", {}).items()
    ]
    if m.get("features_not_given"):
        found.append(f"- **no column types**: {m['features_not_given']}")
    not_held = (m.get("layout") or {}).get("not_held")
    if not_held:
        found.append(f"- **not held by this format**: {_listed(not_held)}")
    for key in ("archived", "archived_not_exported"):
        if key in m:
            found.append(f"- **{key.replace('_', ' ')}**: {m[key]['counts']} ({m[key]['meaning']})")
    if "published" in (m.get("features") or {}):
        found.append(
            "- **published** is a date (`date32`), null where the source gave no whole date; "
            "`published_as_given` holds the source's text when it says more (a time, a zone, "
            "a month only). pyarrow may read an ISO date-time there as a timestamp in UTC."
        )
    return "## Caveats\n\n" + ("\n".join(found) if found else "None recorded.") + "\n"


def _data_files(m: dict[str, Any]) -> dict[str, str]:
    """Each split's file by its ``datasets`` name, empty splits left out (datasets refuses a
    split with no data), as the configs list them."""
    empty = _empty(m)
    return {datasets_name(part): f["path"] for part, f in m["files"].items() if part not in empty}


def _loading(m: dict[str, Any]) -> str:
    lines = ["## Loading\n"]
    if m.get("features"):
        lines += [
            "With Hugging Face `datasets` (2.21 or later), by this card's `configs` and types:",
            "",
            "```python",
            "import datasets",
            'ds = datasets.load_dataset("path/to/this/folder")',
            "```",
            "",
            "Or by the manifest, with each choice attribute as a `ClassLabel` of its "
            "`label_lists` entry if you like:",
            "",
            "```python",
            "import json, pathlib, datasets",
            'm = json.loads(pathlib.Path("manifest.json").read_text(encoding="utf-8"))',
            "ds = datasets.load_dataset(",
            '    "json",',
            f"    data_files={_data_files(m)!r},",
            '    features=datasets.Features.from_dict(m["features"]),',
            ")",
            "```",
            "",
        ]
    commands = []
    for section in (m.get("training") or {}).values():
        files = section.get("files") or {p: f["path"] for p, f in m["files"].items()}
        if "train" in files and "dev" in files:
            commands.append(
                f"python -m spacy train {section['config']} --paths.train {files['train']} "
                f"--paths.dev {files['dev']}"
            )
    if commands:  # a split without both train and dev has no command to give
        lines += ["With spaCy, in this folder:", "", "```sh", *commands, "```"]
    if not m.get("features") and not commands:
        lines.append(
            f"{m['format_title']}: read the files with the tool the format is for; "
            "`manifest.json` describes their layout (`layout`)."
        )
    return "\n".join(lines) + "\n"


def _integrity(m: dict[str, Any]) -> str:
    return (
        "## Integrity\n\n"
        "`manifest.json` gives each data file's bytes and sha256 as written: a file that does "
        "not match does not belong to this export. A later export replaces this folder only "
        "while it holds exactly what this export wrote, this card included.\n"
    )

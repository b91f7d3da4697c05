from annotator.core.store import Workspace


def test_create_span_on_both_backends(workspace: Workspace) -> None:
    doc = workspace.documents.add("Headline\n“We will respond,” the general said.", key="d1")
    ann = workspace.annotations("alice")
    span = ann.create_span(doc.id, 9, 27, "STATEMENT", {"stance": "threatens"})
    assert [s.id for s in ann.spans(doc.id)] == [span.id]

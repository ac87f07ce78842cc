"""Example values: the parts of a policy file that are not the controller's published policy.

A policy written for a demonstration, a test or a draft holds values nobody
at the controller has stated: cookie names made up to show the cookie table,
a retention period gdprkit chose where the published policy is silent. Such
a value must never reach a data subject as the controller's fact: the notice
(Art. 13) and the export package (Art. 15(1)) are statements the controller
answers for (Art. 5(1)(a) transparency, Art. 12(1) accuracy of the
information given). ``[policy] examples`` lists them by key path, and every
renderer marks each as an example value, not from the published policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gdprkit._reader import Reader

__all__ = ["covers", "read_examples"]


def covers(examples: Iterable[str], path: str) -> bool:
    """Whether ``path`` is an example value: it, or a table holding it, is listed.

    ``"purposes.crm.retention"`` is covered by ``"purposes.crm.retention"``,
    ``"purposes.crm"`` and ``"purposes"``.
    """
    listed = frozenset(examples)
    parts = path.split(".")
    return any(".".join(parts[:n]) in listed for n in range(1, len(parts) + 1))


def _step(node: object, key: str) -> object:
    """The child ``key`` of a table, or of an array of tables by its ``name`` or ``id``."""
    if isinstance(node, Mapping):
        return node.get(key)
    if isinstance(node, list):
        for item in node:
            if isinstance(item, Mapping) and key in (item.get("name"), item.get("id")):
                return item
    return None


def read_examples(top: Reader) -> frozenset[str]:
    """``[policy] examples``: key paths, each naming a part the file declares.

    A path follows the keys (``rights.security_measures``,
    ``purposes.crm.retention``); an array of tables is entered by an item's
    ``name`` or ``id`` (``cookies.sessionid``). A path that names nothing is
    reported, so that a renamed key cannot silently drop its mark.
    """
    meta = top.table("policy")
    if meta is None:
        return frozenset()
    paths = meta.str_list("examples")
    for i, path in enumerate(paths):
        node: object = top.data
        for key in path.split("."):
            node = _step(node, key)
            if node is None:
                top.problems.add(
                    f"policy.examples[{i}]",
                    f"names no part of the policy: {path!r} (a key path such as "
                    "'purposes.crm.retention' or 'cookies.sessionid')",
                )
                break
    return frozenset(paths)

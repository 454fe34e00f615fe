"""The landmark vocabulary: consistent groups, the side convention, and no raw indices anywhere else."""

from __future__ import annotations

import ast
from pathlib import Path

from kinema.engines.avatar import landmarks as L
from kinema.engines.avatar.face import Portrait

AVATAR_SRC = Path(L.__file__).parent


def test_groups_agree_with_each_other() -> None:
    assert L.INNER_UPPER[0] == L.INNER_LOWER[-1] == L.INNER_CORNER_R
    assert L.INNER_UPPER[-1] == L.INNER_LOWER[0] == L.INNER_CORNER_L
    assert L.OUTER_UPPER[0] == L.OUTER_LOWER[-1] == L.MOUTH_CORNER_R
    assert L.OUTER_UPPER[-1] == L.OUTER_LOWER[0] == L.MOUTH_CORNER_L
    assert set(L.LIPS_INNER) == set(L.INNER_UPPER) | set(L.INNER_LOWER)
    assert set(L.LIPS_OUTER) == set(L.OUTER_UPPER) | set(L.OUTER_LOWER)
    # the middle three of each inner lip, centred on the lip's centre point
    mid = len(L.INNER_UPPER) // 2
    assert tuple(L.INNER_UPPER[mid - 1:mid + 2]) == L.UPPER_LIP_MID
    assert tuple(L.INNER_LOWER[mid - 1:mid + 2][::-1]) == L.LOWER_LIP_MID
    assert L.UPPER_LIP_MID[1] == L.UPPER_LIP_CENTRE and L.LOWER_LIP_MID[1] == L.LOWER_LIP_CENTRE
    assert L.CHIN in L.FACE_OVAL and set(L.EAR_LINE) <= set(L.FACE_OVAL)
    assert L.MESH_POINTS <= L.IRIS_R < L.IRIS_L < 478


def test_right_means_the_subjects_right_which_is_image_left(astronaut: Portrait) -> None:
    x = astronaut.points[:, 0]
    for right, left in ((L.IRIS_R, L.IRIS_L), (L.MOUTH_CORNER_R, L.MOUTH_CORNER_L),
                        (L.INNER_CORNER_R, L.INNER_CORNER_L), (L.EAR_LINE[0], L.EAR_LINE[1]),
                        (L.EYE_R_UPPER[4], L.EYE_L_UPPER[4]), (L.BROW_R[2], L.BROW_L[2])):
        assert x[right] < x[left]
    assert x[list(L.CHEEK_R)].mean() < x[L.NOSE_TIP]


def _raw_indices(tree: ast.AST) -> list[str]:
    """Subscripts indexed by an integer literal ≥ 3, alone or in a tuple/list index (slices are fine)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Subscript):
            continue
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        items = [i for p in parts for i in (p.elts if isinstance(p, ast.List | ast.Tuple) else [p])]
        if any(isinstance(i, ast.Constant) and type(i.value) is int and i.value >= 3 for i in items):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_indexes_the_mesh_with_a_raw_number() -> None:
    """Every landmark is read through a name from ``landmarks.py`` (small literals such as ``[:, 1]`` for
    a coordinate axis are fine)."""
    offenders = {}
    for path in sorted(AVATAR_SRC.rglob("*.py")):
        if path.name == "landmarks.py":
            continue
        found = _raw_indices(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(AVATAR_SRC))] = found
    assert offenders == {}


def test_the_raw_index_check_catches_what_it_is_for() -> None:
    src = "a = pts[468]\nb = local[152, 1]\nc = pts[[82, 13, 312]]\nd = lo[3:8, 1]\ne = p[:, 0]\n"
    assert [s.split(": ")[1] for s in _raw_indices(ast.parse(src))] == [
        "pts[468]", "local[152, 1]", "pts[[82, 13, 312]]",
    ]

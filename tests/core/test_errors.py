"""The error catalogue: one code, one meaning, one factory (ODK Central's problem.js habit).

Every factory is called with sample arguments and rendered the two ways clients see it: the
REST API's JSON and the OpenRosaResponse a phone shows to the volunteer.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from backend.core import errors
from backend.core.openrosa import openrosa_problem

REPO = Path(__file__).resolve().parents[2]
SAMPLES = {
    str: "uuid:6f1c0b7e-5d4e-4a8b-9a51-2f0e7c3d1a99",
    int: 100,
    list[str]: ["uuid:a", "uuid:b"],
    list[dict[str, Any]]: [{"line": 3, "message": "Thiếu ap / ap is empty"}],
    dict[str, Any]: {"created": 0, "updated": 2, "unchanged": 5, "changes": []},
}


def sample_call(factory):
    kwargs = {}
    for name, parameter in inspect.signature(factory, eval_str=True).parameters.items():
        if parameter.kind is parameter.VAR_KEYWORD:
            continue
        kwargs[name] = SAMPLES[parameter.annotation]
    return factory(**kwargs)


ALL = sorted(errors.CATALOGUE.items())


def test_every_code_has_one_factory_and_the_factories_make_their_own_code():
    source = (REPO / "backend" / "core" / "errors.py").read_text(encoding="utf-8")
    declared = re.findall(r'@problem\("([^"]+)"\)', source)
    assert len(declared) == len(set(declared)), "a code is declared twice"
    assert sorted(declared) == sorted(errors.CATALOGUE)
    for code, factory in ALL:
        assert re.fullmatch(r"[1-5]\d\d\.\d+", code)
        assert sample_call(factory).code == code, factory.__name__


def test_registering_a_code_twice_is_refused():
    with pytest.raises(RuntimeError, match="400.1"):
        errors.problem("400.1")(lambda: None)


@pytest.mark.parametrize(("code", "factory"), ALL, ids=[code for code, _ in ALL])
def test_every_problem_renders_as_json_and_as_an_openrosa_response(code, factory):
    problem = sample_call(factory)
    response = errors.api_exception_handler(problem, {})
    assert response.status_code == problem.status == int(code.split(".")[0])
    body = json.loads(json.dumps(response.data))
    assert body["code"] == code and body["message"] == problem.message

    phone = openrosa_problem(problem)
    assert phone.status_code == problem.status
    assert phone["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(phone.content)
    assert root.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    (message,) = root.iter("{http://openrosa.org/http/response}message")
    assert message.text == problem.message and message.get("nature") == "error"


@pytest.mark.parametrize(("code", "factory"), ALL, ids=[code for code, _ in ALL])
def test_no_message_prints_a_placeholder_instead_of_its_value(code, factory):
    message = sample_call(factory).message
    assert "{" not in message and "}" not in message, message


def test_edit_conflict_message_names_the_copy_in_both_languages():
    message = errors.submission_edit_stale("uuid:cu").message
    english, vietnamese = message.split(" / ")
    assert "(uuid:cu)" in english and "(uuid:cu)" in vietnamese


def test_no_problem_is_built_outside_the_catalogue():
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("backend", "sync", "analytics")
        for path in (REPO / folder).rglob("*.py")
        if path != REPO / "backend" / "core" / "errors.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bProblem\(", line)
    ]
    assert offenders == []


def test_a_401_asks_phones_for_basic_credentials():
    for factory in (errors.authentication_required, errors.credentials_invalid, errors.https_required):
        assert openrosa_problem(factory())["WWW-Authenticate"].startswith("Basic ")


def required_call(factory):
    """The factory called with only the arguments it cannot do without (defaults kept)."""
    kwargs = {}
    for name, parameter in inspect.signature(factory, eval_str=True).parameters.items():
        if parameter.kind is not parameter.VAR_KEYWORD and parameter.default is parameter.empty:
            kwargs[name] = SAMPLES[parameter.annotation]
    return factory(**kwargs)


@pytest.mark.parametrize(("code", "factory"), ALL, ids=[code for code, _ in ALL])
def test_no_default_message_prints_a_placeholder_either(code, factory):
    message = required_call(factory).message
    assert "{" not in message and "}" not in message, message


PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.\[\]'\"]*(![rsa])?(:[^{}]*)?\}")


def _plain_strings(node):
    """String pieces that are not formatted: plain literals, and the literal parts of an
    f-string, where an implicitly concatenated piece without its own f-prefix ends up."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield value.value
    elif isinstance(node, ast.BinOp):
        yield from _plain_strings(node.left)
        yield from _plain_strings(node.right)


def _docstring(node) -> ast.AST | None:
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[0].value
    return None


def _is_factory_call(node, factories: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name in factories


def test_no_message_given_to_the_catalogue_has_a_placeholder_without_its_f_prefix():
    """The literal `({deprecated_id})` bug, anywhere: a `{name}` in a string that is not
    formatted, in the catalogue's factories or in what any caller passes to a factory."""
    factories = {factory.__name__ for factory in errors.CATALOGUE.values()}
    catalogue = REPO / "backend" / "core" / "errors.py"
    offenders = []
    for folder in ("backend", "sync"):
        for path in (REPO / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            pieces: list[ast.AST] = []
            if path == catalogue:
                for function in ast.walk(tree):
                    if isinstance(function, ast.FunctionDef) and function.name in factories:
                        docstring = _docstring(function)
                        pieces += [n for n in ast.walk(function) if n is not docstring]
            for node in ast.walk(tree):
                if _is_factory_call(node, factories):
                    pieces += [*node.args, *(k.value for k in node.keywords)]
            for piece in pieces:
                for text in _plain_strings(piece):
                    if PLACEHOLDER.search(text):
                        offenders.append(f"{path.relative_to(REPO)}:{piece.lineno}: {text!r}")
    assert offenders == []

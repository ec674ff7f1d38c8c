"""Runs the examples in the docstrings of the native module (functions, classes, methods).

The pure-Python modules of the package are covered by ``pytest --doctest-modules --pyargs
cem``; pytest does not look inside extension modules, so their examples are collected here.
"""

import doctest
import inspect

import pytest

from cem import _cem


def documented():
    for name, obj in sorted(vars(_cem).items()):
        if name.startswith("__"):
            continue
        yield f"cem._cem.{name}", obj
        if inspect.isclass(obj):
            for attr, member in sorted(vars(obj).items()):
                yield f"cem._cem.{name}.{attr}", member


EXAMPLES = [(name, obj.__doc__) for name, obj in documented() if ">>>" in (getattr(obj, "__doc__", None) or "")]


def test_examples_were_found():
    names = {name for name, _ in EXAMPLES}
    assert {"cem._cem.nps", "cem._cem.Nps", "cem._cem.Estimate", "cem._cem.proportion"} <= names


@pytest.mark.parametrize(("name", "doc"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_docstring_examples(name, doc):
    test = doctest.DocTestParser().get_doctest(doc, {}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert runner.tries > 0

"""The README's Python block runs as a doctest: its numbers come from the package."""

import doctest
import re

from conftest import REPO


def test_readme_python_block():
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Python"):]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1 and ">>> import lamcap" in blocks[0]
    test = doctest.DocTestParser().get_doctest(blocks[0], {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0 and res.attempted == 4


def test_python_readme_verdict_block(tmp_path, monkeypatch):
    """python/README.md's verdict-sweep block runs as a doctest (in a scratch
    directory), and the p* it quotes are threshold's."""
    text = (REPO / "python" / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>> " in b]
    assert len(blocks) == 1 and "at={" in blocks[0]
    monkeypatch.chdir(tmp_path)
    import lamcap

    test = doctest.DocTestParser().get_doctest(blocks[0], {"lamcap": lamcap}, "python/README", "python/README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0 and res.attempted == 5
    quoted = re.search(r"gives p\* = ([0-9, ]+) for\s+the coupled model", text)
    want = [t.p_star for t in lamcap.threshold(d=6, seeds=range(1, 7), progress=False)]
    assert [int(x) for x in quoted.group(1).split(",")] == want

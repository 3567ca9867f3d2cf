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

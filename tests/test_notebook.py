"""notebooks/quickstart.ipynb runs top to bottom on the sample data, and is committed without outputs."""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "quickstart.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebook_uses_only_the_public_api() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import runback" in source
    # no private module or name (runback._x, runback.io._common ...) and no deep imports
    assert re.findall(r"runback(?:\.[a-z]\w*)*\._[a-z]\w*", source) == []
    assert "from runback" not in source


def test_notebook_runs_top_to_bottom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.skip("no python3 Jupyter kernel (ipykernel is in the test extra: pip install -e '.[test]')")
    # the kernel is a separate process: make it import this checkout's runback
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silences jupyter_core's path-migration warning
    # run it from a temporary folder inside a throw-away copy, as an analyst's checkout would
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    monkeypatch.chdir(work)
    nb = nbformat.read(work / NOTEBOOK.name, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(work)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # the last cell shows the plotly figure
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in last.outputs)
    # and a static picture for where JavaScript is not run (GitHub, nbconvert), where kaleido and Chromium are
    # installed (the test extra and scripts/test.sh install both)
    if importlib.util.find_spec("kaleido") and shutil.which("chromium"):
        pngs = [o["data"]["image/png"] for o in last.outputs if "image/png" in o.get("data", {})]
        assert pngs and base64.b64decode(pngs[0])[:8] == b"\x89PNG\r\n\x1a\n"

"""The nightly check runs on servers with no terminal: the CLI and the domain never need Textual.

In the spirit of harlequin's import contracts: import every module except the app, screens and
widgets in a fresh interpreter and check Textual was not loaded.
"""

import pkgutil
import subprocess
import sys

import transition

UI_MODULES = ("transition.app", "transition.screens", "transition.widgets")


def headless_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(transition.__path__, prefix="transition."):
        if info.name.startswith(UI_MODULES) or info.name.startswith("transition.migrations"):
            continue
        if info.name == "transition.__main__":
            continue
        names.append(info.name)
    return sorted(names)


def test_cli_and_domain_import_without_textual() -> None:
    modules = headless_modules()
    assert "transition.cli" in modules and "transition.models" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Textual was imported by a headless module: {result.stdout}"

"""The import contracts (pyproject.toml ``[tool.importlinter]``) hold, and break on a violation.

``make test`` runs ``lint-imports`` before pytest; these tests run it too, and prove on a copy of
the packages that each contract really fails when crossed (a contract that cannot fail is no check).
"""
import shutil
import subprocess  # nosec B404: runs the venv's own lint-imports on the repository
import sys
from pathlib import Path

import pytest

from accounts.models import AuditEvent
from accounts.permissions import require_capability
from accounts.services import audit_log
from core import access

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("core", "accounts", "households", "screening", "enforcement", "assessment", "config")


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True,  # nosec B603
                          timeout=120, check=False)


def test_the_repository_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path):
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(root: Path, module: str, line: str) -> None:
    path = root / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("core/pagination.py", "from accounts.models import User", "core is not allowed to import accounts"),
    ("accounts/selectors.py", "from households.models import Household",
     "accounts is not allowed to import households"),
    ("core/records.py", "import screening.models", "core is not allowed to import screening"),
    ("screening/selectors/home.py", "from households.selectors import couples_county",
     "screening is not allowed to import households"),
    ("assessment/selectors/home.py", "from enforcement.models import Case",
     "assessment is not allowed to import enforcement"),
    ("households/selectors/register.py", "from screening.models import Screening",
     "households is not allowed to import screening"),
    # A selector that writes (imports a service) closes a cycle: services already read the rule.
    ("screening/pathway_rules.py", "from screening.services import pathway_state",
     "No cycles are allowed in screening"),
    ("assessment/models.py", "from assessment import permissions", "No cycles are allowed in assessment"),
    ("households/selectors/visits.py", "from households.services import visits",
     "households.selectors.visits is not allowed to import households.services"),
])
def test_a_violation_breaks_a_contract(copy, module, line, broken):
    add_import(copy, module, line)
    result = lint(copy)
    assert result.returncode != 0
    assert broken in " ".join(result.stdout.split()), result.stdout


def test_core_reaches_accounts_only_through_the_installed_hooks():
    """core.access's action names are the audit trail's, and accounts installed its functions."""
    assert access.EXPORT == AuditEvent.Action.EXPORT
    assert access.DELETE == AuditEvent.Action.DELETE
    assert access.VIEW == AuditEvent.Action.VIEW
    assert access._hooks == {"audit": audit_log, "require_capability": require_capability}

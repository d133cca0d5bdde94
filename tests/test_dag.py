"""The Makefile knows the data flow: partial reruns are exact, parallel runs are safe, ids never mix.

Runs `make` on a small generated profile in a temporary folder (a few minutes): `make test-dag`.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from retention import catalog
from retention.privacy import SALT_ENV

pytestmark = pytest.mark.dag
ROOT = Path(__file__).resolve().parents[1]
PSEUDONYM = re.compile(r"^C[0-9a-f]{12}$")


class Profile:
    def __init__(self, folder: Path):
        self.params = folder / "dagcheck.yaml"
        self.out = folder / "out"
        self.settings = {"data": {"path": str(folder / "data" / "log.csv")},
                         "generator": {"n_customers": 400, "seed": 5}}
        self.save()

    def save(self) -> None:
        self.params.write_text(yaml.safe_dump(self.settings))

    def make(self, *args: str, salt: str | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if k != SALT_ENV}
        if salt:
            env[SALT_ENV] = salt
        run = subprocess.run(["make", *args, f"PARAMS={self.params}", f"OUT={self.out}"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=1800)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        return run.stdout

    def executed(self) -> dict[str, int]:
        return {name: (self.out / "notebooks" / f"{name}.ipynb").stat().st_mtime_ns
                for name in catalog.NOTEBOOK_STEPS}

    def rerun_by(self, change, salt: str | None = None) -> list[str]:
        """Apply ``change``, run make, return the notebooks that ran again."""
        before = self.executed()
        change()
        self.make("reports", salt=salt)
        after = self.executed()
        return [name for name in catalog.NOTEBOOK_STEPS if after[name] != before[name]]

    def artifact(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.out / "artifacts" / name, dtype={"CustomerID": str})


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    p = Profile(tmp_path_factory.mktemp("dag"))
    p.make("-j2", "reports")  # from a clean folder, two notebooks at a time
    return p


def _enhanced_is_complete(p: Profile) -> None:
    enhanced = p.artifact("enhanced_customer_data.csv")
    for name in [n for n in catalog.PRODUCTS if n.endswith(".customers")]:
        stage = pd.read_parquet(p.out / catalog.PRODUCTS[name].path)
        missing = set(stage.columns) - set(enhanced.columns)
        assert not missing, f"enhanced_customer_data.csv lacks {name} columns {missing}"


def test_a_parallel_run_from_a_clean_folder_writes_every_product(profile):
    for product in catalog.PRODUCTS.values():
        if "*" not in product.path:
            assert (profile.out / product.path).exists(), product.path
    assert (profile.out / "index.html").exists()
    _enhanced_is_complete(profile)


@pytest.mark.parametrize("name", catalog.NOTEBOOK_STEPS)
def test_touching_a_notebook_reruns_exactly_what_depends_on_it(profile, name):
    source = ROOT / "notebooks" / f"{name}.ipynb"
    stat = source.stat()
    try:
        reran = profile.rerun_by(lambda: os.utime(source))
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert reran == catalog.downstream(name)
    _enhanced_is_complete(profile)


@pytest.mark.parametrize(("section", "key", "value", "step"), [
    ("eda", "top_n", 7, "01_eda"),
    ("segmentation", "export_segments", ["Champions"], "02_segmentation"),
    ("churn", "seed", 3, "03_churn_model"),
    ("clv", "uncertainty_draws", 150, "04_customer_value"),
    ("experiment", "outcome_days", 45, "05_experiments"),
    ("roi", "monte_carlo_draws", 1000, "06_campaigns"),
])
def test_changing_a_params_key_reruns_exactly_its_readers(profile, section, key, value, step):
    def change():
        profile.settings.setdefault(section, {})[key] = value
        profile.save()

    assert profile.rerun_by(change) == catalog.downstream(step)
    _enhanced_is_complete(profile)
    if key == "export_segments":
        assert (profile.out / "artifacts" / "segment_champions.csv").exists()


def _raw_ids_in_html(p: Profile, ids: list[str]) -> int:
    text = (p.out / "03_churn_model.html").read_text(encoding="utf-8")
    return sum(text.count(f'>{i}<') + text.count(f'\\"{i}\\"') for i in ids)  # table cells and table data


def _id_columns(p: Profile) -> dict[str, pd.Series]:
    found = {}
    for path in sorted((p.out / "artifacts").glob("*.csv")):
        frame = pd.read_csv(path, dtype={"CustomerID": str})
        if "CustomerID" in frame.columns:
            found[path.name] = frame["CustomerID"]
    return found


def test_switching_pseudonymisation_on_and_off_reruns_every_step_that_writes_ids(profile):
    raw = profile.artifact("churn_predictions.csv")["CustomerID"].head(30).tolist()
    assert _raw_ids_in_html(profile, raw) > 0
    writers = [s for s in catalog.NOTEBOOK_STEPS if catalog.step(s).writes_ids]
    expected = sorted({d for w in writers for d in catalog.downstream(w)}, key=list(catalog.STEPS).index)

    assert profile.rerun_by(lambda: None, salt="abc") == expected
    for name, ids in _id_columns(profile).items():
        assert ids.map(lambda v: bool(PSEUDONYM.match(v))).all(), f"{name} still holds raw customer ids"
    assert _raw_ids_in_html(profile, raw) == 0
    manifest = json.loads((profile.out / "manifest.json").read_text())
    assert manifest["customer_ids"].startswith("pseudonymised") and "abc" not in json.dumps(manifest)

    assert profile.rerun_by(lambda: None) == expected
    for name, ids in _id_columns(profile).items():
        assert not ids.map(lambda v: bool(PSEUDONYM.match(v))).any(), f"{name} still holds pseudonyms"
    assert profile.rerun_by(lambda: None) == []

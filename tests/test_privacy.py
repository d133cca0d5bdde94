import pandas as pd

from retention.params import defaults
from retention.privacy import SALT_ENV, id_salt, pseudonymise


def test_pseudonyms_are_stable_salted_and_reversible_only_with_the_salt():
    ids = pd.Series(["17850", "13047", "17850"])
    a = pseudonymise(ids, "s3cret")
    assert a[0] == a[2] and a[0] != a[1]
    assert a.str.match(r"^C[0-9a-f]{12}$").all()
    assert (pseudonymise(ids, "other") != a).all()
    assert pseudonymise(ids, None).tolist() == ids.tolist()


def test_environment_variable_wins_over_params(monkeypatch):
    params = defaults()
    params["report"]["customer_id_salt"] = "from-params"
    monkeypatch.delenv(SALT_ENV, raising=False)
    assert id_salt(params) == "from-params"
    monkeypatch.setenv(SALT_ENV, "from-env")
    assert id_salt(params) == "from-env"

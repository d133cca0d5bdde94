"""What to do with each customer, in plain words (the ``recommended_action`` column of ``decision.customers``).

One sentence per customer, from the decision and the customer's place in it:

* in the recommended list: send the offer (with what it is);
* when the decision is to test first: in the test's treatment or control group (``test_campaign`` is kept for
  callers that name it);
* a sleeping dog of the base: do not contact (the offer is predicted to make them less likely to buy);
* at risk but not worth the offer: watch;
* in the base and not at risk: no action;
* lapsed: a win-back question, not part of the retention decision.
"""

from __future__ import annotations

import pandas as pd

from retention.roi.columns import AT_RISK, IN_BASE

__all__ = ["customer_actions"]


def customer_actions(frame: pd.DataFrame, *, targeted: pd.Index, offer_text: str, run: bool,
                     sleeping_dog: pd.Series | None = None, test_groups: pd.Series | None = None,
                     test_campaign: str | None = None) -> pd.Series:
    """``recommended_action`` for every customer of the decision frame (index CustomerID).

    Parameters
    ----------
    frame : pandas.DataFrame
        The decision frame (``in_base``, ``at_risk``).
    targeted : pandas.Index
        The recommended list (empty when the decision is to run nothing).
    offer_text : str
        The offer in words, e.g. "15% off the next order".
    run : bool
        Whether the decision runs a campaign.
    sleeping_dog : pandas.Series of bool, optional
        Customers the offer is predicted to put off.
    test_groups : pandas.Series, optional
        ``treatment`` / ``control`` per customer of the test list (when the decision is to test first).
    test_campaign : str, optional
        The option the test measures.
    """
    in_base = frame[IN_BASE].astype(bool)
    at_risk = frame[AT_RISK].astype(bool)
    action = pd.Series("No action (not at risk)", index=frame.index, dtype=object)
    action[in_base & at_risk] = "Watch: at risk, the offer does not pay"
    if sleeping_dog is not None:
        dogs = sleeping_dog.reindex(frame.index, fill_value=False).astype(bool)
        action[dogs] = "Do not contact: the offer would put them off"
    action[~in_base] = "Lapsed: a win-back question"
    if run:
        action[frame.index.isin(targeted)] = f"Send the offer ({offer_text})"
    elif test_groups is not None and len(test_groups):
        groups = test_groups.reindex(frame.index)
        action[groups == "treatment"] = f"Test group: send the offer ({offer_text})"
        action[groups == "control"] = "Test control group: no offer"
    return action.astype("string").rename("recommended_action")
